package io.layercake.eviction;

import io.layercake.oci.Digest;
import java.time.Instant;

/**
 * One blob removed from this node's store.
 *
 * @param digest the blob
 * @param size the bytes freed
 * @param reason why it was removed
 * @param at when
 */
public record Eviction(Digest digest, long size, EvictionReason reason, Instant at) {}
