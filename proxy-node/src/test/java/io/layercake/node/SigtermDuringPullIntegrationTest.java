package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.RegistryClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 9, acceptance 5: SIGTERM while a client pulls a 1 GiB blob. {@code /readyz} turns 503 at
 * once, the node keeps answering new requests through its shutdown delay, the pull completes with
 * the right digest, and the node exits within its delay and deadline.
 */
class SigtermDuringPullIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(SigtermDuringPullIntegrationTest.class);

  private static final long SIZE = 1L << 30;
  /** The fill, and so the client's stream of it, takes about ten seconds. */
  private static final long UPSTREAM_BYTES_PER_SECOND = 100L << 20;
  private static final Duration SHUTDOWN_DELAY = Duration.ofSeconds(3);
  private static final Duration SHUTDOWN_DEADLINE = Duration.ofSeconds(60);
  private static final String REPOSITORY = "library/sigterm";

  @TempDir Path work;

  @Test
  void sigtermDuring1GiBPull_readyz503AtOnce_newRequestsServedDuringDelay_pullCompletesWithItsDigest()
      throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(work.resolve("upstream-blob"), SIZE, 9, "application/octet-stream");
    String path = "/v2/" + REPOSITORY + "/blobs/" + blob.digest();
    try (FakeRegistry upstream = FakeRegistry.start();
        NodeProcess node = NodeProcess.builder(work.resolve("data"), upstream.url())
            .jvmOption("-Xmx256m")
            .property("layercake.http.shutdown-delay", SHUTDOWN_DELAY.toSeconds() + "s")
            .property("layercake.cluster.shutdown-deadline", SHUTDOWN_DEADLINE.toSeconds() + "s")
            .start()) {
      upstream.putBlobFile(REPOSITORY, blob.digest(), blob.file());
      upstream.inject(Fault.throttle(UPSTREAM_BYTES_PER_SECOND), "/blobs/", FakeRegistry.FOREVER);
      RegistryClient client = new RegistryClient(node.url());
      assertEquals(200, client.get("/readyz").statusCode());

      AtomicLong firstByte = new AtomicLong();
      CompletableFuture<RegistryClient.StreamedBody> pull = CompletableFuture.supplyAsync(() -> {
        try {
          return client.stream(path, () -> {
            firstByte.set(System.nanoTime());
            return 0;
          });
        } catch (IOException e) {
          return new RegistryClient.StreamedBody(0, 0, null, 0, e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      });
      Await.until(Duration.ofSeconds(30), "the client receiving the body", () -> firstByte.get() > 0);

      long upstreamBytesAtSigterm = upstream.bodyBytesSent();
      long sigtermAt = System.nanoTime();
      CompletableFuture<Duration> exited = node.terminate();
      Await.until(Duration.ofSeconds(2), "/readyz answering 503", () -> client.get("/readyz").statusCode() == 503);
      long unready = System.nanoTime() - sigtermAt;
      assertEquals(200, client.get("/livez").statusCode(), "alive while stopping");
      assertEquals(200, client.get("/v2/").statusCode(), "new requests are served during the shutdown delay");

      RegistryClient.StreamedBody body = pull.get(90, TimeUnit.SECONDS);
      long pullDone = System.nanoTime() - sigtermAt;
      Duration exit = exited.get(SHUTDOWN_DELAY.plus(SHUTDOWN_DEADLINE).plusSeconds(30).toSeconds(), TimeUnit.SECONDS);
      String outcome = "SIGTERM after " + (upstreamBytesAtSigterm >> 20) + " MiB from upstream; /readyz 503 after "
          + unready / 1_000_000 + " ms; pull done " + pullDone / 1_000_000 + " ms after SIGTERM with "
          + (body.bytes() >> 20) + " MiB; JVM exit " + exit.toMillis() + " ms after SIGTERM";
      log.info("sigterm during pull: {}", outcome);

      assertTrue(upstreamBytesAtSigterm < SIZE / 2, "the stop came too late to interrupt anything: " + outcome);
      assertNull(body.failure(), outcome);
      assertEquals(200, body.status(), outcome);
      assertEquals(SIZE, body.bytes(), outcome);
      assertEquals(blob.digest(), body.digest(), outcome);
      assertTrue(pullDone > SHUTDOWN_DELAY.toNanos(), "the pull outlasted the delay, so it ran through the drain: "
          + outcome);
    }
  }
}
