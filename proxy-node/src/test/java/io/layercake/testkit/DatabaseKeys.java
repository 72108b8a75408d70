package io.layercake.testkit;

import io.layercake.storage.NodeDatabase;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.rocksdb.RocksIterator;

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
    Map<NodeDatabase.Family, Long> counts = new EnumMap<>(NodeDatabase.Family.class);
    for (NodeDatabase.Family family : NodeDatabase.Family.values()) {
      long keys = 0;
      try (RocksIterator it = database.rocks().newIterator(database.family(family))) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          keys++;
        }
      }
      counts.put(family, keys);
    }
    return counts;
  }
}
