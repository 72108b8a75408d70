/**
 * Manifests and tags: the sharded {@link io.layercake.manifest.TagEntity} that caches where each
 * tag points, revalidates it with a HEAD after its TTL and serves it stale through upstream
 * outages; and {@link io.layercake.manifest.Manifests}, which fetches, verifies and stores
 * manifests as immutable content.
 */
package io.layercake.manifest;
