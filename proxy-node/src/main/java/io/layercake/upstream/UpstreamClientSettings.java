package io.layercake.upstream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.transport.ConnectionSettings;
import java.time.Duration;

/**
 * The HTTP client settings shared by every upstream, read from {@code layercake.upstream-client}.
 * Each key is documented in {@code reference.conf}.
 *
 * @param connectTimeout time to open a connection
 * @param responseTimeout time from sending a request to its response headers
 * @param idleTimeout longest wait for the next body byte while the reader waits for one
 * @param maxAttempts attempts for a GET or HEAD that fails before its body starts; 1 means no retry
 * @param minBackoff pause before the first retry; doubles for each further one
 * @param maxBackoff upper bound of the pause
 * @param maxRedirects redirects followed per request
 * @param maxConnections connections per upstream host
 * @param maxOpenRequests requests queued or running per upstream host, a power of two
 * @param maxManifestSize largest manifest, tag list or token response accepted, in bytes
 * @param bodySubscriptionTimeout time a caller has to start reading a blob body
 * @param budgetReserve the share of an upstream's reported pull limit kept for clients' pulls
 * @param budgetBackoff how long GETs are refused after upstream's 429 that names no Retry-After
 */
public record UpstreamClientSettings(
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxAttempts,
    Duration minBackoff,
    Duration maxBackoff,
    int maxRedirects,
    int maxConnections,
    int maxOpenRequests,
    long maxManifestSize,
    Duration bodySubscriptionTimeout,
    double budgetReserve,
    Duration budgetBackoff) {

  /** The config this record is read from. */
  public static final String PATH = "layercake.upstream-client";

  /** How the transport connects to upstream hosts. */
  public ConnectionSettings connection() {
    return new ConnectionSettings(connectTimeout, responseTimeout, idleTimeout, maxConnections, maxOpenRequests,
        bodySubscriptionTimeout);
  }

  /** Reads and validates {@code layercake.upstream-client}; every error names its key. */
  public static UpstreamClientSettings fromConfig(Config config) {
    Duration minBackoff = positiveDuration(config, "min-backoff");
    Duration maxBackoff = positiveDuration(config, "max-backoff");
    if (maxBackoff.compareTo(minBackoff) < 0) {
      throw bad(config, "max-backoff", "must not be less than min-backoff (" + minBackoff + ")");
    }
    int maxOpenRequests = atLeast(config, "max-open-requests", 1);
    if (Integer.bitCount(maxOpenRequests) != 1) {
      throw bad(config, "max-open-requests", "must be a power of two, got " + maxOpenRequests);
    }
    long maxManifestSize = config.getBytes(PATH + ".max-manifest-size");
    if (maxManifestSize < 1024) {
      throw bad(config, "max-manifest-size", "must be at least 1KiB, got " + maxManifestSize);
    }
    double reserve = config.getDouble(PATH + ".budget-reserve");
    if (!(reserve >= 0 && reserve <= 1)) {
      throw bad(config, "budget-reserve", "must be from 0 to 1 (a share of the limit), got " + reserve);
    }
    return new UpstreamClientSettings(
        positiveDuration(config, "connect-timeout"),
        positiveDuration(config, "response-timeout"),
        positiveDuration(config, "idle-timeout"),
        atLeast(config, "max-attempts", 1),
        minBackoff,
        maxBackoff,
        atLeast(config, "max-redirects", 0),
        atLeast(config, "max-connections", 1),
        maxOpenRequests,
        maxManifestSize,
        positiveDuration(config, "body-subscription-timeout"),
        reserve,
        positiveDuration(config, "budget-backoff"));
  }

  private static Duration positiveDuration(Config config, String key) {
    Duration value = config.getDuration(PATH + "." + key);
    if (value.isZero() || value.isNegative()) {
      throw bad(config, key, "must be positive, got " + value);
    }
    return value;
  }

  private static int atLeast(Config config, String key, int minimum) {
    int value = config.getInt(PATH + "." + key);
    if (value < minimum) {
      throw bad(config, key, "must be at least " + minimum + ", got " + value);
    }
    return value;
  }

  private static ConfigException bad(Config config, String key, String problem) {
    String path = PATH + "." + key;
    return new ConfigException.BadValue(config.getValue(path).origin(), path, problem);
  }
}
