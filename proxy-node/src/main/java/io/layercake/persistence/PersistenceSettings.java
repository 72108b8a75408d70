package io.layercake.persistence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Settings of the RocksDB journal and snapshot store, read from {@code layercake.persistence}.
 *
 * @param stopTimeout how long a stopping plugin waits for its RocksDB calls in progress before the
 *     node database may close
 * @param syncWrites whether every journal and snapshot write waits for an fsync of the
 *     write-ahead log (survives power loss) or only for the write to reach the OS (survives a
 *     process crash, may lose its last writes to an OS crash)
 */
public record PersistenceSettings(Duration stopTimeout, boolean syncWrites) {

  /** Validates the values. */
  public PersistenceSettings {
    if (stopTimeout.isNegative() || stopTimeout.isZero()) {
      throw new IllegalArgumentException(
          "layercake.persistence.stop-timeout must be positive, was " + stopTimeout);
    }
  }

  /** Reads and validates {@code layercake.persistence}. */
  public static PersistenceSettings fromConfig(Config config) {
    return new PersistenceSettings(config.getDuration("layercake.persistence.stop-timeout"),
        config.getBoolean("layercake.persistence.sync-writes"));
  }
}
