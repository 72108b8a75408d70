package io.layercake.testkit;

import io.layercake.storage.NodeDatabase;
import java.nio.file.Path;
import java.util.Map;

/**
 * How many keys each column family of a node's RocksDB holds: the journal, snapshots and indexes,
 * for tests that show a request left nothing behind. Opens the database itself, so the node must
 * be stopped (RocksDB allows one process at a time).
 */
public final class DatabaseKeys {

  private DatabaseKeys() {}

  /** The key count of every family in the database of the node whose data folder is {@code dataDir}. */
  public static Map<NodeDatabase.Family, Long> count(Path dataDir) {
    try (NodeDatabase database = NodeDatabase.open(dataDir.resolve("db"))) {
      return count(database);
    }
  }

  /** The key count of every family of an open database (reads may run beside a node's writes). */
  public static Map<NodeDatabase.Family, Long> count(NodeDatabase database) {
    return database.keyCounts();
  }
}
