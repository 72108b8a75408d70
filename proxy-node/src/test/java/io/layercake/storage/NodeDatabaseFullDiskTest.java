package io.layercake.storage;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.layercake.testkit.Await;
import io.layercake.testkit.RequiredClient;
import io.layercake.testkit.Tmpfs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksDBException;

/**
 * Issue 10, finding 1 at the lowest level: RocksDB refuses writes once its volume is full, and
 * writes again on its own once space returns, without being reopened. RocksJava has no binding for
 * {@code DB::Resume()}; RocksDB's own error recovery (its SstFileManager, which polls the free space)
 * is what resumes, once the volume has room for a memtable flush. Needs root for the tmpfs.
 */
class NodeDatabaseFullDiskTest {

  @TempDir Path work;

  @Test
  void fullVolume_writesRefused_thenResumeWithoutReopen() throws Exception {
    RequiredClient.check("root, to mount a tmpfs", Tmpfs.isPossible());
    try (Tmpfs disk = Tmpfs.mount(work.resolve("disk"), 160);
        NodeDatabase database = NodeDatabase.open(disk.path().resolve("db"))) {
      byte[] key = "key".getBytes(UTF_8);
      byte[] value = new byte[64 * 1024];
      database.rocks().put(database.family(NodeDatabase.Family.BLOBS), database.syncWrites(), key, value);

      disk.fill(disk.path().resolve("filler"));
      assertThrows(RocksDBException.class, () -> {
        // The write-ahead log is preallocated as far as the volume allowed: write until it is used up.
        for (int i = 0; i < 4_000; i++) {
          database.rocks().put(database.family(NodeDatabase.Family.BLOBS), database.syncWrites(),
              ("more-" + i).getBytes(UTF_8), value);
        }
      }, "a full volume refuses writes");

      Files.delete(disk.path().resolve("filler"));
      byte[] later = "later".getBytes(UTF_8);
      AtomicReference<Exception> last = new AtomicReference<>();
      Await.until(Duration.ofSeconds(30), "RocksDB writes again", () -> {
        try {
          database.rocks().put(database.family(NodeDatabase.Family.BLOBS), database.syncWrites(), later, later);
          return true;
        } catch (RocksDBException e) {
          last.set(e);
          return false;
        }
      });
      assertArrayEquals(later, database.rocks().get(database.family(NodeDatabase.Family.BLOBS), later));
      assertArrayEquals(value, database.rocks().get(database.family(NodeDatabase.Family.BLOBS), key));
    }
  }
}
