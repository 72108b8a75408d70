package io.layercake.storage;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * Where a node keeps its data, read from {@code layercake.storage}.
 *
 * @param dataDir the node's data folder: {@code blobs/}, {@code tmp/} and {@code db/} live below it
 */
public record StorageSettings(Path dataDir) {

  /** Reads and validates {@code layercake.storage}. */
  public static StorageSettings fromConfig(Config config) {
    String dir = config.getString("layercake.storage.data-dir");
    if (dir.isBlank()) {
      throw new IllegalArgumentException("layercake.storage.data-dir must not be empty");
    }
    return new StorageSettings(Path.of(dir).toAbsolutePath().normalize());
  }

  /** Folder of committed, verified blob files. */
  public Path blobsDir() {
    return dataDir.resolve("blobs");
  }

  /** Folder of in-progress fills; emptied at start-up. */
  public Path tmpDir() {
    return dataDir.resolve("tmp");
  }

  /** Folder of the node's RocksDB instance. */
  public Path databaseDir() {
    return dataDir.resolve("db");
  }
}
