package io.layercake.eviction;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.SettingsChecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The size cap and the age rules, read from {@code layercake.storage} and
 * {@code layercake.eviction}.
 *
 * @param maxSize the cap on this node's blob bytes
 * @param highWater the fraction of {@code maxSize} at which eviction starts
 * @param lowWater the fraction of {@code maxSize} eviction brings the store down to
 * @param ruleInterval how often the age rules run
 * @param rules the age rules, in order
 * @param recentEvictions how many evictions {@link Evictor#recent()} remembers
 * @param volumeReserve the fraction of the data volume kept out of the cap (RocksDB, temp files,
 *     quarantine)
 * @param nodeTimeout how long a cluster-wide verb waits for each node's part
 */
public record EvictionSettings(long maxSize, double highWater, double lowWater, Duration ruleInterval,
    List<AgeRule> rules, int recentEvictions, double volumeReserve, Duration nodeTimeout) {

  /** The share of the data volume kept out of the cap unless configured. */
  public static final double DEFAULT_VOLUME_RESERVE = 0.1;

  /** How long a cluster-wide verb waits for a node unless configured. */
  public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(30);

  /** Settings with the default volume reserve and node timeout (tests). */
  public EvictionSettings(long maxSize, double highWater, double lowWater, Duration ruleInterval,
      List<AgeRule> rules, int recentEvictions) {
    this(maxSize, highWater, lowWater, ruleInterval, rules, recentEvictions, DEFAULT_VOLUME_RESERVE,
        DEFAULT_NODE_TIMEOUT);
  }

  /** Validates the marks: {@code 0 < low < high <= 1}. */
  public EvictionSettings {
    if (maxSize <= 0) {
      throw new IllegalArgumentException("layercake.storage.max-size must be positive, not " + maxSize);
    }
    if (!(highWater > 0 && highWater <= 1)) {
      throw new IllegalArgumentException("layercake.storage.high-water must be in (0, 1], not " + highWater);
    }
    if (!(lowWater > 0 && lowWater < highWater)) {
      throw new IllegalArgumentException("layercake.storage.low-water must be above 0 and below"
          + " layercake.storage.high-water (" + highWater + "), not " + lowWater);
    }
    if (recentEvictions < 1) {
      throw new IllegalArgumentException("layercake.eviction.recent-evictions must be at least 1");
    }
    if (!(volumeReserve >= 0 && volumeReserve < 1)) {
      throw new IllegalArgumentException("layercake.storage.volume-reserve must be in [0, 1), not " + volumeReserve);
    }
    rules = List.copyOf(rules);
  }

  /** Reads and validates the settings; every error names its key. */
  public static EvictionSettings fromConfig(Config config) {
    long maxSize = SettingsChecks.size(config, "layercake.storage.max-size",
        "a size such as 50GiB or 500MB (LAYERCAKE_STORAGE_MAX_SIZE)");
    List<AgeRule> rules = new ArrayList<>();
    List<? extends Config> configured;
    try {
      configured = config.getConfigList("layercake.eviction.rules");
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException("layercake.eviction.rules must be a list of"
          + " { match = ..., unused-for = ... } objects: " + e.getMessage(), e);
    }
    for (int i = 0; i < configured.size(); i++) {
      rules.add(AgeRule.fromConfig(configured.get(i), i));
    }
    return new EvictionSettings(maxSize, fraction(config, "layercake.storage.high-water"),
        fraction(config, "layercake.storage.low-water"),
        SettingsChecks.positiveDuration(config, "layercake.eviction.rule-interval"), rules,
        config.getInt("layercake.eviction.recent-evictions"), fraction(config, "layercake.storage.volume-reserve"),
        SettingsChecks.positiveDuration(config, "layercake.eviction.node-timeout"));
  }

  /**
   * These settings with the cap no larger than what a volume of {@code volumeBytes} can hold,
   * less its reserve: a 50 GiB default on a 20 GiB disk would fill the disk before eviction
   * started.
   */
  public EvictionSettings cappedToVolume(long volumeBytes) {
    long fits = (long) (volumeBytes * (1 - volumeReserve));
    if (fits <= 0 || fits >= maxSize) {
      return this;
    }
    return new EvictionSettings(fits, highWater, lowWater, ruleInterval, rules, recentEvictions, volumeReserve,
        nodeTimeout);
  }

  /** The byte count at which eviction starts. */
  public long highWaterBytes() {
    return (long) (maxSize * highWater);
  }

  /** The byte count eviction brings the store down to. */
  public long lowWaterBytes() {
    return (long) (maxSize * lowWater);
  }

  private static double fraction(Config config, String key) {
    try {
      return config.getDouble(key);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a fraction such as 0.9: " + e.getMessage(), e);
    }
  }
}
