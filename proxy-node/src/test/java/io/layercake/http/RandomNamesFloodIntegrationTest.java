package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.storage.NodeDatabase;
import io.layercake.testkit.DatabaseKeys;
import io.layercake.testkit.EmptyRegistry;
import io.layercake.testkit.JvmHeap;
import io.layercake.testkit.NameFlood;
import io.layercake.testkit.NodeProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 2: random digests and random tags, with no login, leave a node's heap flat.
 * A node in its own JVM with the launcher's heap options (256 MB, serial GC) takes {@link #NAMES}
 * random blob digests and as many random tags, GETs and HEADs, from an upstream that has none of
 * them. Its heap after full collections must end within 20 MB of where it started (after a
 * warm-up), every answer must be a 4xx, and nothing may be left in its journal, snapshots or
 * indexes.
 *
 * <p>Before the fix each such name kept an entity in memory for ten minutes (about 4.8 KB each),
 * and 35,000 requests in ten minutes exhausted the heap. The acceptance figure, 100,000 of each,
 * takes several minutes on a small machine; it runs as the load scenario {@code
 * ./load-tests/run flood}, or here with {@code -Dlayercake.flood.names=100000}.
 */
class RandomNamesFloodIntegrationTest {

  /** Random digests, and as many random tags, per run. */
  private static final int NAMES = Integer.getInteger("layercake.flood.names", 10_000);
  private static final int WARM_UP_NAMES = 2_000;
  private static final long HEAP_GROWTH_LIMIT = 20L << 20;

  @TempDir Path work;

  @Test
  void randomDigestsAndTags_withoutLogin_leaveTheHeapFlatAndNothingOnDisk() throws Exception {
    Path dataDir = work.resolve("data");
    long before;
    long after;
    NameFlood.Result flood;
    long upstreamRequests;
    try (EmptyRegistry upstream = EmptyRegistry.start();
        NodeProcess node = NodeProcess.start(dataDir, upstream.url(),
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError")) {
      NameFlood client = new NameFlood(10, 64);
      NameFlood.Result warmUp = client.run(node.url(), WARM_UP_NAMES, Duration.ofMinutes(1));
      assertTrue(warmUp.allClientErrors(), "warm-up: " + warmUp.statuses());
      try (JvmHeap heap = JvmHeap.attach(node.pid())) {
        before = heap.usedAfterFullGc();
        flood = client.run(node.url(), NAMES, Duration.ofMinutes(2));
        after = heap.usedAfterFullGc();
        System.out.printf("flood: %d random digests and %d random tags in %d s (%d requests/s) through a node"
                + " with a %d MB heap: heap after full GC %.1f MB before, %.1f MB after (%+.1f MB); statuses %s%n",
            NAMES, NAMES, flood.elapsed().toSeconds(), flood.rate(), heap.max() >> 20, before / 1048576.0,
            after / 1048576.0, (after - before) / 1048576.0, flood.statuses());
      }
      assertTrue(node.isAlive(), "the node died:\n" + node.logText());
      upstreamRequests = upstream.blobRequests() + upstream.manifestRequests();
    }

    assertTrue(after - before < HEAP_GROWTH_LIMIT, "heap grew by " + ((after - before) >> 20) + " MB");
    assertEquals(2L * NAMES, flood.requests());
    assertTrue(flood.allClientErrors(), "every answer a 4xx: " + flood.statuses());
    assertEquals(2L * (NAMES + WARM_UP_NAMES), upstreamRequests, "each random name asked of upstream once");
    Map<NodeDatabase.Family, Long> keys = DatabaseKeys.count(dataDir);
    assertTrue(keys.values().stream().allMatch(count -> count == 0), "left in RocksDB: " + keys);
  }
}
