package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.oci.Digest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls are counted in memory and written in batches, yet every reader sees them at once. */
class BlobIndexTest {

  private static final Digest DIGEST = Digest.parse("sha256:" + "ab".repeat(32));

  @TempDir Path dir;

  @Test
  void recordPull_seenAtOnce_writtenByFlush_survivesAReopen() {
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      BlobIndex index = new BlobIndex(database);
      index.put(DIGEST, new BlobRecord(10, null, 1_000, 1_000, 0));
      index.recordPull(DIGEST, 5_000);
      index.recordPull(DIGEST, 4_000);

      assertEquals(new BlobRecord(10, null, 1_000, 5_000, 2), index.get(DIGEST).orElseThrow());
      List<BlobRecord> seen = new ArrayList<>();
      index.forEach((digest, record) -> seen.add(record));
      assertEquals(List.of(new BlobRecord(10, null, 1_000, 5_000, 2)), seen);
      assertEquals(new BlobRecord(10, null, 1_000, 1_000, 0), new BlobIndex(database).get(DIGEST).orElseThrow(),
          "nothing written before the flush");

      assertEquals(1, index.flushPulls());
      assertEquals(0, index.flushPulls(), "nothing left to write");
    }
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      assertEquals(new BlobRecord(10, null, 1_000, 5_000, 2), new BlobIndex(database).get(DIGEST).orElseThrow());
    }
  }

  @Test
  void flushPulls_blobRemovedMeanwhile_writesNothingForIt() {
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      BlobIndex index = new BlobIndex(database);
      index.put(DIGEST, new BlobRecord(10, null, 1_000, 1_000, 0));
      index.recordPull(DIGEST, 5_000);
      index.remove(DIGEST);
      assertEquals(0, index.flushPulls());
      assertEquals(java.util.Optional.empty(), index.get(DIGEST), "a pull must not bring a removed blob back");
    }
  }
}
