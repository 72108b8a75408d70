/**
 * Eviction and the operator's cache verbs: each node keeps its blob bytes under a size cap
 * (least recently used first, blobs of shards it no longer owns before all others), age rules
 * remove images not pulled or cached for too long, and {@code images}, {@code rmi},
 * {@code prune}, {@code pin} and {@code unpin} act on the whole cluster's cache through one
 * {@link io.layercake.eviction.CacheKeeper} per node. Blobs being streamed or filled and pinned
 * images are never removed.
 */
package io.layercake.eviction;
