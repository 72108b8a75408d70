package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Access times and tag pulls wait in memory while the volume is below its floor, and are written once it is not. */
class PullFlusherTest {

  private static final Digest DIGEST = Digest.parse("sha256:" + "cd".repeat(32));

  @TempDir Path dir;

  @Test
  void flush_volumeLow_writesNothing_thenWritesWhenSpaceReturns() {
    AtomicLong free = new AtomicLong(0);
    AtomicLong now = new AtomicLong();
    DiskSpace space = new DiskSpace(100, free::get, now::get);
    try (NodeDatabase database = NodeDatabase.open(dir.resolve("db"))) {
      BlobIndex index = new BlobIndex(database);
      index.put(DIGEST, new BlobRecord(10, null, 1_000, 1_000, 0));
      index.recordPull(DIGEST, 5_000);
      TagIndex tags = new TagIndex(database);
      tags.pulled(UpstreamName.of("docker-hub"), "library/redis", "7", 5_000);
      PullFlusher flusher = new PullFlusher(index, tags, space);

      flusher.flush();
      assertEquals(List.of(), new TagIndex(database).pulls(), "no tag pull written below the floor");
      assertEquals(new BlobRecord(10, null, 1_000, 1_000, 0), new BlobIndex(database).get(DIGEST).orElseThrow(),
          "nothing written below the floor");
      assertEquals(new BlobRecord(10, null, 1_000, 5_000, 1), index.get(DIGEST).orElseThrow(), "the pull is kept");

      free.set(1_000_000);
      now.addAndGet(1_000_000_000L);
      flusher.flush();
      assertEquals(new BlobRecord(10, null, 1_000, 5_000, 1), new BlobIndex(database).get(DIGEST).orElseThrow());
      assertEquals(List.of(new TagIndex.TagPull(UpstreamName.of("docker-hub"), "library/redis", "7", 1, 5_000)),
          new TagIndex(database).pulls());
    }
  }
}
