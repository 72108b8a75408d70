package io.layercake.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

class NodeDatabaseTest {

  @TempDir Path dataDir;

  @Test
  void open_newNestedFolder_createsEveryFamily() throws RocksDBException {
    Path dir = dataDir.resolve("node/db");

    NodeDatabase.open(dir).close();

    assertEquals(
        Set.of("default", "journal", "journal-meta", "snapshots", "blobs", "tags", "repositories", "pins",
            "tag-pulls", "events"),
        familiesOnDisk(dir));
  }

  @Test
  void family_sameKeyInEveryFamily_keptApartAndSurvivesReopen() throws RocksDBException {
    byte[] key = "key".getBytes(UTF_8);
    try (NodeDatabase database = NodeDatabase.open(dataDir)) {
      for (NodeDatabase.Family family : NodeDatabase.Family.values()) {
        database.rocks().put(database.family(family), database.syncWrites(), key, value(family));
      }
    }

    try (NodeDatabase database = NodeDatabase.open(dataDir)) {
      for (NodeDatabase.Family family : NodeDatabase.Family.values()) {
        assertArrayEquals(value(family), database.rocks().get(database.family(family), key));
      }
      assertNull(database.rocks().get(key), "the default family holds nothing");
    }
  }

  @Test
  void close_calledTwice_secondIsNoOp() {
    NodeDatabase database = NodeDatabase.open(dataDir);

    database.close();
    database.close();

    assertThrows(IllegalStateException.class, database::rocks);
    assertThrows(IllegalStateException.class, () -> database.family(NodeDatabase.Family.JOURNAL));
    assertThrows(IllegalStateException.class, database::syncWrites);
  }

  @Test
  void open_folderAlreadyOpen_throwsNamingFolder() {
    NodeDatabase first = NodeDatabase.open(dataDir);
    try {
      StorageException failure = assertThrows(StorageException.class, () -> NodeDatabase.open(dataDir));
      assertTrue(failure.getMessage().contains(dataDir.toString()), failure.getMessage());
    } finally {
      first.close();
    }
  }

  @Test
  void open_unknownFamilyOnDisk_opensAndLeavesItUntouched() throws RocksDBException {
    byte[] key = "written-by-a-newer-version".getBytes(UTF_8);
    writeToFamily(dataDir, "from-the-future", key);

    try (NodeDatabase database = NodeDatabase.open(dataDir)) {
      database.rocks().put(database.family(NodeDatabase.Family.PINS), key, key);
    }

    assertTrue(familiesOnDisk(dataDir).contains("from-the-future"));
    assertTrue(familiesOnDisk(dataDir).contains("pins"));
    assertArrayEquals(key, readFromFamily(dataDir, "from-the-future", key));
  }

  @Test
  void extension_typedAndClassicSystem_shareOneDatabaseClosedOnTermination() {
    ActorTestKit testKit =
        ActorTestKit.create(
            ConfigFactory.empty()
                .withValue("layercake.storage.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString())));
    NodeDatabase fromTyped = NodeDatabaseExtension.get(testKit.system());
    NodeDatabase fromClassic = NodeDatabaseExtension.get(Adapter.toClassic(testKit.system()));
    assertSame(fromTyped, fromClassic);

    testKit.shutdownTestKit();

    assertThrows(IllegalStateException.class, fromTyped::rocks);
    try (NodeDatabase reopened = NodeDatabase.open(dataDir.resolve("db"))) {
      assertNotSame(fromTyped, reopened);
    }
  }

  private static byte[] value(NodeDatabase.Family family) {
    return family.name().getBytes(UTF_8);
  }

  private static Set<String> familiesOnDisk(Path dir) throws RocksDBException {
    try (Options options = new Options()) {
      return RocksDB.listColumnFamilies(options, dir.toString()).stream()
          .map(name -> new String(name, UTF_8))
          .collect(Collectors.toSet());
    }
  }

  private static void writeToFamily(Path dir, String familyName, byte[] key) throws RocksDBException {
    try (Options options = new Options().setCreateIfMissing(true);
        RocksDB rocks = RocksDB.open(options, dir.toString());
        ColumnFamilyHandle family =
            rocks.createColumnFamily(new ColumnFamilyDescriptor(familyName.getBytes(UTF_8)))) {
      rocks.put(family, key, key);
    }
  }

  private static byte[] readFromFamily(Path dir, String familyName, byte[] key) throws RocksDBException {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    try (Options options = new Options()) {
      for (byte[] name : RocksDB.listColumnFamilies(options, dir.toString())) {
        descriptors.add(new ColumnFamilyDescriptor(name));
      }
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions();
        RocksDB rocks = RocksDB.open(options, dir.toString(), descriptors, handles)) {
      try {
        for (int i = 0; i < descriptors.size(); i++) {
          if (new String(descriptors.get(i).getName(), UTF_8).equals(familyName)) {
            return rocks.get(handles.get(i), key);
          }
        }
        return null;
      } finally {
        handles.forEach(ColumnFamilyHandle::close);
      }
    }
  }
}
