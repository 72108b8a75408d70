package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.RegistryClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a node in the middle of a cold fill, ten times over: no partial blob is ever
 * served or committed, start-up removes the leftovers, and the next pull is correct.
 */
class CrashRecoveryIntegrationTest {

  private static final long SIZE = 100L << 20;
  private static final int ROUNDS = 10;

  @TempDir Path work;

  @Test
  void killDuringFill_restartServesCorrectBlob_tenTimes() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(work.resolve("upstream-blob"), SIZE, 99, "application/octet-stream");
    String hex = blob.digest().substring("sha256:".length());
    try (FakeRegistry upstream = FakeRegistry.start()) {
      upstream.putBlobFile("library/crash", blob.digest(), blob.file());
      String path = "/v2/library/crash/blobs/" + blob.digest();
      for (int round = 0; round < ROUNDS; round++) {
        Path data = work.resolve("data-" + round);
        Path committed = data.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
        upstream.clearFaults();
        // 30 MB/s: the fill takes over 3 s, so even the latest kill point (50 MB) leaves more than
        // a second before the fill could complete.
        upstream.inject(Fault.throttle(30L << 20), "/blobs/", 1);
        upstream.resetCounts();
        long killAfter = (round + 1) * (5L << 20);

        NodeProcess node = NodeProcess.start(data, upstream.url(), "-Xmx256m");
        RegistryClient client = new RegistryClient(node.url());
        CompletableFuture<RegistryClient.StreamedBody> inFlight =
            CompletableFuture.supplyAsync(() -> stream(client, path));
        Await.until(Duration.ofSeconds(30), "fill past " + killAfter + " bytes",
            () -> upstream.bodyBytesSent() > killAfter);
        node.kill();

        RegistryClient.StreamedBody cut = inFlight.get();
        assertTrue(cut.failure() != null || cut.bytes() < SIZE, "round " + round + ": a partial blob was served whole");
        assertFalse(Files.exists(committed), "round " + round + ": a partial fill was committed");

        try (NodeProcess restarted = NodeProcess.start(data, upstream.url(), "-Xmx256m")) {
          assertEquals(0, count(data.resolve("tmp")), "round " + round + ": temp files left after restart");
          RegistryClient.StreamedBody pulled = new RegistryClient(restarted.url()).stream(path);
          assertNull(pulled.failure(), restarted.logText());
          assertEquals(blob.digest(), pulled.digest(), "round " + round);
          // The last byte goes out once the digest is verified; the commit's fsyncs follow.
          Await.until(Duration.ofSeconds(10), "round " + round + ": the fill committed",
              () -> Files.exists(committed));
          assertEquals(SIZE, Files.size(committed));
        }
        deleteTree(data);
      }
    }
  }

  private static RegistryClient.StreamedBody stream(RegistryClient client, String path) {
    try {
      return client.stream(path);
    } catch (java.io.IOException e) {
      return new RegistryClient.StreamedBody(0, 0, null, 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long count(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.count();
    }
  }

  private static void deleteTree(Path dir) throws java.io.IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
