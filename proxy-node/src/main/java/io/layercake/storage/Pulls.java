package io.layercake.storage;

/**
 * Pulls counted in memory and not yet written: how many, and the latest (epoch milliseconds).
 * Both indexes batch them the same way (see {@link BlobIndex}'s notes), so that no request waits
 * on a write.
 */
record Pulls(long count, long last) {

  /** One pull at {@code at}. */
  static Pulls one(long at) {
    return new Pulls(1, at);
  }

  Pulls plus(Pulls other) {
    return new Pulls(count + other.count, Math.max(last, other.last));
  }
}
