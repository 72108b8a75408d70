/**
 * Blobs: the sharded {@link io.layercake.blob.BlobEntity} that gives each digest a single flight
 * to upstream, the {@link io.layercake.blob.BlobFill} that writes one upstream body to disk while
 * any number of clients stream the growing file, the node's caps on fills running at once
 * ({@link io.layercake.blob.FillLimiter}), and the file-range streaming both warm and cold reads
 * use. Nothing here holds a whole blob in memory.
 */
package io.layercake.blob;
