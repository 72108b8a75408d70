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
 * @param readBudget blob bytes read from disk and not yet sent that all streams may hold together
 * @param minRead the smallest read from a blob file
 * @param maxRead the largest read from a blob file, what a lone stream gets
 */
public record BlobSettings(Duration fillTimeout, Duration askTimeout, Duration idleTimeout,
    Duration notFoundTtl, int notFoundCacheSize, int maxFills, int maxFillsPerUpstream,
    int fillQueueSize, Duration fillQueueTimeout, long readBudget, int minRead, int maxRead) {

  /** Reads and validates {@code layercake.blobs}. */
  public static BlobSettings fromConfig(Config config) {
    Duration ask = SettingsChecks.positiveDuration(config, "layercake.blobs.ask-timeout");
    Duration queueTimeout = SettingsChecks.positiveDuration(config, "layercake.blobs.fill-queue-timeout");
    if (queueTimeout.compareTo(ask) >= 0) {
      // A wait the client's own ask would cut short: half the ask leaves time to say "retry".
      queueTimeout = ask.dividedBy(2);
    }
    int minRead = readSize(config, "layercake.blobs.read-size-min");
    int maxRead = readSize(config, "layercake.blobs.read-size-max");
    long readBudget = config.getBytes("layercake.blobs.read-budget");
    try {
      new ReadBudget(readBudget, minRead, maxRead); // the budget checks that the reads fit in it
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layercake.blobs.read-budget, read-size-min and read-size-max: "
          + e.getMessage(), e);
    }
    int maxFills = SettingsChecks.positiveInt(config, "layercake.blobs.max-fills");
    int perUpstream = SettingsChecks.positiveInt(config, "layercake.blobs.max-fills-per-upstream");
    if (perUpstream > maxFills) {
      throw new IllegalArgumentException("layercake.blobs.max-fills-per-upstream must not exceed"
          + " layercake.blobs.max-fills (" + maxFills + "), got " + perUpstream);
    }
    return new BlobSettings(
        SettingsChecks.positiveDuration(config, "layercake.blobs.fill-timeout"),
        ask,
        SettingsChecks.positiveDuration(config, "layercake.blobs.idle-timeout"),
        SettingsChecks.nonNegativeDuration(config, "layercake.blobs.not-found-ttl"),
        SettingsChecks.positiveInt(config, "layercake.blobs.not-found-cache-size"),
        maxFills,
        perUpstream,
        SettingsChecks.nonNegativeInt(config, "layercake.blobs.fill-queue-size"),
        queueTimeout,
        readBudget,
        minRead,
        maxRead);
  }

  /** A new budget for the node's blob reads. */
  public ReadBudget newReadBudget() {
    return new ReadBudget(readBudget, minRead, maxRead);
  }

  /** A read size of {@code layercake.blobs.read-*}: within an int, and sane for one read. */
  private static int readSize(Config config, String key) {
    long value = config.getBytes(key);
    if (value < 4096 || value > 64L * 1024 * 1024) {
      throw new IllegalArgumentException(key + " must be between 4KiB and 64MiB, got " + value);
    }
    return (int) value;
  }
}
