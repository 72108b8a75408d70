package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream faults reach the client as clean errors, never as a committed bad blob, and a clean
 * retry then succeeds.
 */
class FaultInjectionIntegrationTest {

  private static final long SIZE = 8L << 20;

  @TempDir Path dataDir;
  @TempDir Path upstreamDir;
  private FakeRegistry upstream;
  private TestNode node;
  private RegistryClient client;
  private LargeBlob blob;
  private String path;

  @BeforeEach
  void start() {
    blob = LargeBlob.writeRandom(upstreamDir.resolve("blob"), SIZE, 7, "application/octet-stream");
    upstream = FakeRegistry.start();
    upstream.putBlobFile("library/faulty", blob.digest(), blob.file());
    node = TestNode.start(dataDir, upstream.url(), Map.of(
        "layercake.upstream-client.idle-timeout", "1s",
        "layercake.upstream-client.max-attempts", 3));
    client = new RegistryClient(node.url());
    path = "/v2/library/faulty/blobs/" + blob.digest();
  }

  @AfterEach
  void stop() {
    node.close();
    upstream.close();
  }

  @Test
  void resetMidBody_clientSeesBrokenBody_nothingCommitted_retrySucceeds() throws Exception {
    upstream.inject(Fault.resetMidBody(1 << 20), "/blobs/", 1);

    RegistryClient.StreamedBody broken = client.stream(path);

    assertTrue(broken.failure() != null || broken.bytes() < SIZE, "the client must see the break");
    assertNothingCommitted();
    assertCleanRetry();
  }

  @Test
  void wrongBytes_neverServedWhole_nothingCommitted_retrySucceeds() throws Exception {
    upstream.inject(Fault.wrongBytes(), "/blobs/", 1);

    RegistryClient.StreamedBody bad = client.stream(path);

    assertTrue(bad.failure() != null || bad.bytes() < SIZE,
        "a body whose digest fails must not reach the client complete");
    assertNotEquals(blob.digest(), bad.digest());
    assertNothingCommitted();
    assertCleanRetry();
  }

  @Test
  void serverError_isUnavailable_retrySucceeds() throws Exception {
    upstream.inject(Fault.status(500), "/blobs/", 10);

    HttpResponse<byte[]> response = client.get(path);

    assertEquals(503, response.statusCode());
    assertTrue(body(response).contains("UNAVAILABLE"), body(response));
    upstream.clearFaults();
    assertCleanRetry();
  }

  @Test
  void tooManyRequests_passedOnWithRetryAfter_retrySucceeds() throws Exception {
    upstream.inject(Fault.tooManyRequests(Duration.ofSeconds(7)), "/blobs/", 1);

    HttpResponse<byte[]> response = client.get(path);

    assertEquals(429, response.statusCode());
    assertEquals("7", response.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(body(response).contains("TOOMANYREQUESTS"), body(response));
    assertCleanRetry();
  }

  @Test
  void stallPastIdleTimeout_clientSeesBrokenBody_retrySucceeds() throws Exception {
    upstream.inject(Fault.stall(1 << 20, Duration.ofSeconds(5)), "/blobs/", 1);

    RegistryClient.StreamedBody stalled = client.stream(path);

    assertTrue(stalled.failure() != null || stalled.bytes() < SIZE, "the client must see the stall");
    assertNothingCommitted();
    assertCleanRetry();
  }

  private void assertNothingCommitted() {
    Digest digest = Digest.parse(blob.digest());
    Await.until(Duration.ofSeconds(10), "temp files removed", () -> tempFiles() == 0);
    assertTrue(node.node().store().find(digest).isEmpty(), "a bad blob was committed");
  }

  private void assertCleanRetry() throws IOException, InterruptedException {
    RegistryClient.StreamedBody good = client.stream(path);
    assertNull(good.failure());
    assertEquals(200, good.status());
    assertEquals(blob.digest(), good.digest());
    // The last byte goes out once the digest is verified; the commit's fsyncs follow.
    Await.until(Duration.ofSeconds(10), "the retried fill committed",
        () -> node.node().store().find(Digest.parse(blob.digest())).isPresent());
  }

  private long tempFiles() {
    try (Stream<Path> files = Files.list(dataDir.resolve("tmp"))) {
      return files.count();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
