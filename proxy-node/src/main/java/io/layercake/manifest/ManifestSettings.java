package io.layercake.manifest;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * Settings of manifest and tag serving, read from {@code layercake.manifests}.
 *
 * @param tagTtl how long a cached tag is served without asking upstream
 * @param askTimeout how long a request waits for a tag's entity to answer
 * @param revalidateTimeout how long a tag that is already cached waits for upstream before it is
 *     served stale
 * @param memoryCacheBytes how many bytes of manifests each node keeps in memory
 */
public record ManifestSettings(Duration tagTtl, Duration askTimeout, Duration revalidateTimeout,
    long memoryCacheBytes) {

  /** Reads and validates {@code layercake.manifests}. */
  public static ManifestSettings fromConfig(Config config) {
    Duration ttl = config.getDuration("layercake.manifests.tag-ttl");
    if (ttl.isNegative()) {
      throw new IllegalArgumentException("layercake.manifests.tag-ttl must not be negative, got " + ttl);
    }
    Duration ask = SettingsChecks.positiveDuration(config, "layercake.manifests.ask-timeout");
    Duration revalidate = config.getDuration("layercake.manifests.revalidate-timeout");
    if (revalidate.isNegative() || revalidate.isZero() || revalidate.compareTo(ask) >= 0) {
      throw new IllegalArgumentException("layercake.manifests.revalidate-timeout must be positive and"
          + " shorter than layercake.manifests.ask-timeout (" + ask + "), got " + revalidate);
    }
    long memory = config.getBytes("layercake.manifests.memory-cache-size");
    if (memory < 0) {
      throw new IllegalArgumentException(
          "layercake.manifests.memory-cache-size must not be negative, got " + memory);
    }
    return new ManifestSettings(ttl, ask, revalidate, memory);
  }
}
