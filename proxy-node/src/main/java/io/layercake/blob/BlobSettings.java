package io.layercake.blob;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * Settings of blob serving and filling, read from {@code layercake.blobs}.
 *
 * @param fillTimeout the longest one upstream fill may take, whether or not clients still read it
 * @param askTimeout how long a request waits for the blob's entity to answer
 * @param idleTimeout how long a blob's entity stays in memory with no request and nothing to fill
 * @param notFoundTtl how long upstream's "no such blob" is remembered; zero remembers nothing
 * @param notFoundCacheSize how many such answers each node remembers at most
 * @param maxFills the most fills running at once on one node
 * @param maxFillsPerUpstream the most fills running at once on one node for one upstream
 * @param fillQueueSize the most fills waiting on one node for a free place under the caps
 * @param fillQueueTimeout the longest a fill waits for a free place before its request gets 503
 */
public record BlobSettings(Duration fillTimeout, Duration askTimeout, Duration idleTimeout,
    Duration notFoundTtl, int notFoundCacheSize, int maxFills, int maxFillsPerUpstream,
    int fillQueueSize, Duration fillQueueTimeout) {

  /** Reads and validates {@code layercake.blobs}. */
  public static BlobSettings fromConfig(Config config) {
    Duration ask = SettingsChecks.positiveDuration(config, "layercake.blobs.ask-timeout");
    Duration queueTimeout = SettingsChecks.positiveDuration(config, "layercake.blobs.fill-queue-timeout");
    if (queueTimeout.compareTo(ask) >= 0) {
      // A wait the client's own ask would cut short: half the ask leaves time to say "retry".
      queueTimeout = ask.dividedBy(2);
    }
    int maxFills = positiveInt(config, "layercake.blobs.max-fills");
    int perUpstream = positiveInt(config, "layercake.blobs.max-fills-per-upstream");
    if (perUpstream > maxFills) {
      throw new IllegalArgumentException("layercake.blobs.max-fills-per-upstream must not exceed"
          + " layercake.blobs.max-fills (" + maxFills + "), got " + perUpstream);
    }
    return new BlobSettings(
        SettingsChecks.positiveDuration(config, "layercake.blobs.fill-timeout"),
        ask,
        SettingsChecks.positiveDuration(config, "layercake.blobs.idle-timeout"),
        nonNegativeDuration(config, "layercake.blobs.not-found-ttl"),
        positiveInt(config, "layercake.blobs.not-found-cache-size"),
        maxFills,
        perUpstream,
        nonNegativeInt(config, "layercake.blobs.fill-queue-size"),
        queueTimeout);
  }

  private static int positiveInt(Config config, String key) {
    int value = config.getInt(key);
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be at least 1, got " + value);
    }
    return value;
  }

  private static int nonNegativeInt(Config config, String key) {
    int value = config.getInt(key);
    if (value < 0) {
      throw new IllegalArgumentException(key + " must not be negative, got " + value);
    }
    return value;
  }

  private static Duration nonNegativeDuration(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative()) {
      throw new IllegalArgumentException(key + " must not be negative, got " + value);
    }
    return value;
  }
}
