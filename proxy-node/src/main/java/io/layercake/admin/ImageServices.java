package io.layercake.admin;

import io.layercake.blob.BlobFills;
import io.layercake.manifest.ManifestSettings;
import io.layercake.manifest.Manifests;
import io.layercake.upstream.Upstreams;

/**
 * The node's services that the image verbs (pull, save, load, inspect, history) work through: the
 * same ones the registry API uses, so that what they do is what a client's pull would do.
 *
 * @param upstreams the configured upstreams
 * @param fills blob fills, the blob store and the peer client
 * @param manifests manifests by digest and tag fetches
 * @param manifestSettings tag timeouts
 */
public record ImageServices(Upstreams upstreams, BlobFills fills, Manifests manifests,
    ManifestSettings manifestSettings) {}
