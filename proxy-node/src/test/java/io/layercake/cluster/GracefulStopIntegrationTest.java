package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.NodeProcessCluster;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.StoredBlobs;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM of a node while clients stream a large blob from it (issue 3, acceptance 5): the node
 * finishes the streams in flight before it stops, within its shutdown deadline, and neither the
 * client reading through it nor the client reading through another node (proxied from it) sees an
 * error.
 */
class GracefulStopIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(GracefulStopIntegrationTest.class);

  private static final long SIZE = 200L << 20;
  /** Upstream body rate: the fill, and so every stream of it, takes about ten seconds. */
  private static final long UPSTREAM_BYTES_PER_SECOND = 20L << 20;
  private static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(20);
  /**
   * Time the node may take after the deadline: shard hand-off, leaving the cluster, stopping the
   * actor system and closing RocksDB.
   */
  private static final Duration EXIT_MARGIN = Duration.ofSeconds(20);
  private static final String REPOSITORY = "library/graceful";

  @TempDir Path work;

  @Test
  void sigtermDuringPull_streamsThroughItAndThroughAPeerComplete_nodeExitsWithinDeadline() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(work.resolve("upstream-blob"), SIZE, 5, "application/octet-stream");
    String path = "/v2/" + REPOSITORY + "/blobs/" + blob.digest();
    ExecutorService readers = Executors.newFixedThreadPool(2);
    try (FakeRegistry upstream = FakeRegistry.start();
        NodeProcessCluster cluster = NodeProcessCluster.start(3, work.resolve("nodes"), upstream.url(),
            Map.of("layercake.cluster.shutdown-deadline", SHUTDOWN_DEADLINE.toSeconds() + "s"))) {
      upstream.putBlobFile(REPOSITORY, blob.digest(), blob.file());
      upstream.inject(Fault.throttle(UPSTREAM_BYTES_PER_SECOND), "/blobs/", FakeRegistry.FOREVER);
      assertTrue(cluster.node(0).logText().contains("NEITHER ENCRYPTED NOR AUTHENTICATED"),
          "a cluster without TLS must say so at start");

      // The node to stop is the one that holds the fill.
      int owner = startFill(cluster, path, blob.digest());
      int peer = (owner + 1) % 3;

      AtomicLong ownerClientStarted = new AtomicLong();
      AtomicLong peerClientStarted = new AtomicLong();
      CompletableFuture<Finished> throughOwner = CompletableFuture.supplyAsync(
          () -> stream(cluster.url(owner), path, ownerClientStarted), readers);
      CompletableFuture<Finished> throughPeer = CompletableFuture.supplyAsync(
          () -> stream(cluster.url(peer), path, peerClientStarted), readers);
      Await.until(Duration.ofSeconds(30), "both clients receiving the body",
          () -> ownerClientStarted.get() > 0 && peerClientStarted.get() > 0);

      long upstreamBytesAtSigterm = upstream.bodyBytesSent();
      long sigtermAt = System.nanoTime();
      CompletableFuture<Duration> exited = cluster.node(owner).terminate();

      Finished ownerClient = throughOwner.get(60, TimeUnit.SECONDS);
      Finished peerClient = throughPeer.get(60, TimeUnit.SECONDS);
      Duration exit = exited.get(SHUTDOWN_DEADLINE.plus(EXIT_MARGIN).toSeconds(), TimeUnit.SECONDS);
      boolean committedBeforeExit = StoredBlobs.committed(cluster.dataDir(owner)).contains(blob.digest());
      cluster.forget(owner);
      String outcome = "SIGTERM to node " + owner + " (the owner) after " + (upstreamBytesAtSigterm >> 20)
          + " MB from upstream; client via the owner: " + ownerClient.describe(sigtermAt) + "; client via node "
          + peer + ": " + peerClient.describe(sigtermAt) + "; JVM exit " + exit.toMillis()
          + " ms after SIGTERM (deadline " + SHUTDOWN_DEADLINE.toSeconds() + " s); fill committed before exit: "
          + committedBeforeExit;
      log.info("graceful stop: {}", outcome);

      assertTrue(upstreamBytesAtSigterm < SIZE / 2, "the stop came too late to interrupt anything: " + outcome);
      for (Finished client : new Finished[] {ownerClient, peerClient}) {
        assertNull(client.body().failure(), "a client's stream broke off: " + outcome);
        assertEquals(200, client.body().status(), outcome);
        assertEquals(SIZE, client.body().bytes(), outcome);
        assertEquals(blob.digest(), client.body().digest(), outcome);
        assertTrue(client.at() > sigtermAt, "the stream was not in flight when SIGTERM came: " + outcome);
      }
      assertTrue(exit.compareTo(SHUTDOWN_DEADLINE.plus(EXIT_MARGIN)) <= 0, outcome);
      assertTrue(committedBeforeExit, "the owner stopped before it committed the fill it was streaming: " + outcome);

      // A graceful leave needs no split brain resolver: the others see two members at once.
      long awaitStarted = System.nanoTime();
      cluster.awaitMembers(2, Duration.ofSeconds(20));
      log.info("graceful stop: 2 members Up {} ms after the exit", (System.nanoTime() - awaitStarted) / 1_000_000);
    } finally {
      readers.shutdownNow();
    }
  }

  /**
   * A stream that outlasts the stopping node's deadline: the owner cuts the body it proxies to a
   * peer, and the peer goes on from the byte where it broke, from the blob's new owner. The
   * client sees one complete, correct body.
   */
  @Test
  void ownerStopsBeforeAProxiedStreamEnds_thePeerContinuesItFromTheNewOwner() throws Exception {
    long size = 60L << 20;
    LargeBlob blob = LargeBlob.writeRandom(work.resolve("upstream-blob"), size, 7, "application/octet-stream");
    String path = "/v2/" + REPOSITORY + "/blobs/" + blob.digest();
    ExecutorService readers = Executors.newFixedThreadPool(1);
    try (FakeRegistry upstream = FakeRegistry.start();
        // A short deadline cuts the fill and the proxied body; with no wait for a returning
        // member, the new owner fills from upstream at once.
        NodeProcessCluster cluster = NodeProcessCluster.start(3, work.resolve("nodes"), upstream.url(),
            Map.of("layercake.cluster.shutdown-deadline", "1s",
                "layercake.cluster.returning-member-wait", "0s"))) {
      upstream.putBlobFile(REPOSITORY, blob.digest(), blob.file());
      upstream.inject(Fault.throttle(6L << 20), "/blobs/", FakeRegistry.FOREVER);
      int owner = startFill(cluster, path, blob.digest());
      int peer = (owner + 1) % 3;
      AtomicLong started = new AtomicLong();
      CompletableFuture<Finished> throughPeer = CompletableFuture.supplyAsync(
          () -> stream(cluster.url(peer), path, started), readers);
      Await.until(Duration.ofSeconds(30), "the client receiving the body", () -> started.get() > 0);

      long sigtermAt = System.nanoTime();
      cluster.node(owner).terminate().get(60, TimeUnit.SECONDS);
      cluster.forget(owner);
      Finished client = throughPeer.get(120, TimeUnit.SECONDS);
      String outcome = "client via node " + peer + " while node " + owner + " stopped: " + client.describe(sigtermAt)
          + "; upstream GETs of the blob: " + upstream.count("GET", "/blobs/");
      log.info("continued proxy: {}", outcome);

      assertNull(client.body().failure(), "the client's stream broke off: " + outcome);
      assertEquals(200, client.body().status(), outcome);
      assertEquals(size, client.body().bytes(), outcome);
      assertEquals(blob.digest(), client.body().digest(), outcome);
      assertTrue(upstream.count("GET", "/blobs/") >= 2,
          "the owner finished before it stopped, so nothing was continued: " + outcome);
    } finally {
      readers.shutdownNow();
    }
  }

  /** A client's streamed body and when it ended ({@link System#nanoTime}). */
  /**
   * Starts the cold blob's fill with a GET through node 0 (a HEAD would not start one; the fill
   * goes on after the client hangs up) and answers the node that holds it.
   */
  private static int startFill(NodeProcessCluster cluster, String path, String digest) throws java.io.IOException {
    assertEquals(200, new RegistryClient(cluster.url(0)).getAndHangUp(path));
    Await.until(Duration.ofSeconds(30), "a node filling the blob", () -> IntStream.range(0, 3)
        .anyMatch(i -> StoredBlobs.filling(cluster.dataDir(i)).contains(digest)));
    return IntStream.range(0, 3)
        .filter(i -> StoredBlobs.filling(cluster.dataDir(i)).contains(digest)).findFirst().orElseThrow();
  }

  private record Finished(RegistryClient.StreamedBody body, long at) {

    String describe(long sigtermAt) {
      return "status " + body.status() + ", " + (body.failure() == null ? "complete" : "broke off (" + body.failure() + ")") + " with "
          + (body.bytes() >> 20) + " MB, " + (at - sigtermAt) / 1_000_000 + " ms after SIGTERM";
    }
  }

  /** Streams the blob, noting in {@code started} the moment the first body byte arrives. */
  private static Finished stream(String nodeUrl, String path, AtomicLong started) {
    RegistryClient.StreamedBody body;
    try {
      body = new RegistryClient(nodeUrl).stream(path, () -> {
        started.set(System.nanoTime());
        return 0;
      });
    } catch (IOException e) {
      body = new RegistryClient.StreamedBody(0, 0, null, 0, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return new Finished(body, System.nanoTime());
  }
}
