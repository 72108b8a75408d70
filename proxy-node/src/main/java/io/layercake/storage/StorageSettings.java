package io.layercake.storage;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;

/**
 * Where a node keeps its data, read from {@code layercake.storage}.
 *
 * @param dataDir the node's data folder: {@code blobs/}, {@code tmp/}, {@code quarantine/} and
 *     {@code db/} live below it
 * @param quarantineMaxSize the most bytes of corrupted blob files kept in {@code quarantine/}
 *     (the oldest go first; 0 keeps none)
 */
public record StorageSettings(Path dataDir, long quarantineMaxSize) {

  private static final String QUARANTINE_MAX_SIZE = "layercake.storage.quarantine-max-size";

  /** Validates the quarantine's bound. */
  public StorageSettings {
    if (quarantineMaxSize < 0) {
      throw new IllegalArgumentException(QUARANTINE_MAX_SIZE + " must not be negative, got " + quarantineMaxSize);
    }
  }

  /**
   * Settings for a data folder whose quarantine is never trimmed: for tests and benchmarks, which
   * build settings without a configuration. A node reads {@link #fromConfig}.
   */
  public StorageSettings(Path dataDir) {
    this(dataDir, Long.MAX_VALUE);
  }

  /** Reads and validates {@code layercake.storage}. */
  public static StorageSettings fromConfig(Config config) {
    String dir = config.getString("layercake.storage.data-dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("layercake.storage.data-dir must not be empty");
    }
    long quarantineMaxSize;
    try {
      quarantineMaxSize = config.getBytes(QUARANTINE_MAX_SIZE);
    } catch (ConfigException.BadValue | ConfigException.WrongType e) {
      throw new IllegalArgumentException(QUARANTINE_MAX_SIZE + " must be a size such as 1GiB or 0: "
          + e.getMessage(), e);
    }
    return new StorageSettings(Path.of(dir).toAbsolutePath().normalize(), quarantineMaxSize);
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
