package io.layercake.storage;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * The background scrub, read from {@code layercake.storage.scrub}.
 *
 * @param enabled whether the scrub runs at all
 * @param bytesPerSecond the most blob bytes it reads (and hashes) per second, on average
 * @param interval the pause between the end of one pass over the store and the start of the next
 * @param startDelay the pause between the node's start and the first pass
 */
public record ScrubSettings(boolean enabled, long bytesPerSecond, Duration interval, Duration startDelay) {

  private static final String PREFIX = "layercake.storage.scrub.";

  /** Validates the values; every error names its key. */
  public ScrubSettings {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException(PREFIX + "rate must be a positive size per second such as 20MiB, got "
          + bytesPerSecond);
    }
    if (interval.isNegative()) {
      throw new IllegalArgumentException(PREFIX + "interval must not be negative, got " + interval);
    }
    if (startDelay.isNegative()) {
      throw new IllegalArgumentException(PREFIX + "start-delay must not be negative, got " + startDelay);
    }
  }

  /** Reads and validates {@code layercake.storage.scrub}. */
  public static ScrubSettings fromConfig(Config config) {
    return new ScrubSettings(flag(config, PREFIX + "enabled"),
        SettingsChecks.size(config, PREFIX + "rate", "a size per second such as 20MiB"),
        duration(config, PREFIX + "interval"), duration(config, PREFIX + "start-delay"));
  }

  private static boolean flag(Config config, String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be on or off: " + e.getMessage(), e);
    }
  }

  private static Duration duration(Config config, String key) {
    try {
      return config.getDuration(key);
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a duration such as 24h or 10m: " + e.getMessage(), e);
    }
  }
}
