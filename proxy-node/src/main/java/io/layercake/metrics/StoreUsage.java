package io.layercake.metrics;

/**
 * What a node's blob store holds.
 *
 * @param blobs how many committed blobs
 * @param bytes their total size in bytes
 */
public record StoreUsage(long blobs, long bytes) {

  /** Requires non-negative counts. */
  public StoreUsage {
    if (blobs < 0 || bytes < 0) {
      throw new IllegalArgumentException("store usage cannot be negative: " + blobs + " blobs, "
          + bytes + " bytes");
    }
  }
}
