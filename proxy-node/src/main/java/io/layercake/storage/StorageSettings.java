package io.layercake.storage;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.nio.file.Path;

/**
 * Where a node keeps its data, read from {@code layercake.storage}.
 *
 * @param dataDir the node's data folder: {@code blobs/}, {@code tmp/}, {@code quarantine/} and
 *     {@code db/} live below it
 * @param quarantineMaxSize the most bytes of corrupted blob files kept in {@code quarantine/}
 *     (the oldest go first; 0 keeps none)
 * @param minFree the free bytes the node leaves on its volume; what would go below is served
 *     without being stored (at most a twentieth of the volume is kept free this way)
 */
public record StorageSettings(Path dataDir, long quarantineMaxSize, long minFree) {

  private static final String QUARANTINE_MAX_SIZE = "layercake.storage.quarantine-max-size";
  private static final String MIN_FREE = "layercake.storage.min-free";

  /** Validates the bounds. */
  public StorageSettings {
    if (quarantineMaxSize < 0) {
      throw new IllegalArgumentException(QUARANTINE_MAX_SIZE + " must not be negative, got " + quarantineMaxSize);
    }
    if (minFree < 0) {
      throw new IllegalArgumentException(MIN_FREE + " must not be negative, got " + minFree);
    }
  }

  /**
   * Settings for a data folder whose quarantine is never trimmed and which keeps nothing free: for
   * tests and benchmarks, which build settings without a configuration. A node reads
   * {@link #fromConfig}.
   */
  public StorageSettings(Path dataDir) {
    this(dataDir, Long.MAX_VALUE, 0);
  }

  /** As {@link #StorageSettings(Path)}, with a quarantine bound. */
  public StorageSettings(Path dataDir, long quarantineMaxSize) {
    this(dataDir, quarantineMaxSize, 0);
  }

  /** Reads and validates {@code layercake.storage}. */
  public static StorageSettings fromConfig(Config config) {
    String dir = config.getString("layercake.storage.data-dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("layercake.storage.data-dir must not be empty");
    }
    long quarantineMaxSize = SettingsChecks.size(config, QUARANTINE_MAX_SIZE, "a size such as 1GiB or 0");
    long minFree = SettingsChecks.size(config, MIN_FREE, "a size such as 256MiB or 0");
    return new StorageSettings(Path.of(dir).toAbsolutePath().normalize(), quarantineMaxSize, minFree);
  }

  /** Folder of committed, verified blob files. */
  public Path blobsDir() {
    return dataDir.resolve("blobs");
  }

  /** Folder of in-progress fills; emptied at start-up. */
  public Path tmpDir() {
    return dataDir.resolve("tmp");
  }

  /** Folder of blob files that failed a check (size or sha256), kept for inspection. */
  public Path quarantineDir() {
    return dataDir.resolve("quarantine");
  }

  /** Folder of the node's RocksDB instance. */
  public Path databaseDir() {
    return dataDir.resolve("db");
  }
}
