package io.layercake.metrics;

import java.time.Instant;
import java.util.Objects;

/**
 * One blob eviction, for the status page's "recent evictions".
 *
 * @param at when it was removed
 * @param digest the blob's digest, {@code sha256:...}
 * @param reason why, such as {@code size} or {@code age}
 * @param bytes the bytes it freed
 */
public record RecentEviction(Instant at, String digest, String reason, long bytes) {

  /** Requires every part, and a non-negative size. */
  public RecentEviction {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(reason, "reason");
    if (bytes < 0) {
      throw new IllegalArgumentException("an eviction cannot free " + bytes + " bytes");
    }
  }
}
