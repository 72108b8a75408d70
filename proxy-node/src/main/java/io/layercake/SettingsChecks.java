package io.layercake;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/** Checks shared by the settings records; every error names the key, as STYLE.md asks. */
public final class SettingsChecks {

  private SettingsChecks() {}

  /** The duration at {@code key}, which must be greater than zero. */
  public static Duration positiveDuration(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be positive, got " + value);
    }
    return value;
  }

  /** The duration at {@code key}, which must not be negative (zero turns something off). */
  public static Duration nonNegativeDuration(Config config, String key) {
    Duration value = config.getDuration(key);
    if (value.isNegative()) {
      throw new IllegalArgumentException(key + " must not be negative, got " + value);
    }
    return value;
  }

  /** The int at {@code key}, which must be at least 1. */
  public static int positiveInt(Config config, String key) {
    int value = config.getInt(key);
    if (value <= 0) {
      throw new IllegalArgumentException(key + " must be at least 1, got " + value);
    }
    return value;
  }

  /** The int at {@code key}, which must not be negative. */
  public static int nonNegativeInt(Config config, String key) {
    int value = config.getInt(key);
    if (value < 0) {
      throw new IllegalArgumentException(key + " must not be negative, got " + value);
    }
    return value;
  }

  /** The size at {@code key}; a value that is not one is refused as not being {@code what}. */
  public static long size(Config config, String key, String what) {
    try {
      return config.getBytes(key);
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be " + what + ": " + e.getMessage(), e);
    }
  }
}
