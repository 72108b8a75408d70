package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cap on concurrent fills through a node (issue 10, finding 3): beyond it a cold blob gets
 * 503 with Retry-After, requests for the blob already filling still join it, and a fill's place
 * is free again as soon as it ends, failed or not.
 */
class FillCapIntegrationTest {

  private static final String REPOSITORY = "library/capped";
  /** One fill at a time and no queue, so that the cap shows in a single request. */
  private static final Map<String, Object> ONE_FILL = Map.of(
      "layercake.blobs.max-fills", 1,
      "layercake.blobs.max-fills-per-upstream", 1,
      "layercake.blobs.fill-queue-size", 0);

  @TempDir Path dataDir;
  @TempDir Path upstreamDir;

  @Test
  void coldBlobBeyondTheCap_gets503WithRetryAfter_whileRequestsForTheFillingBlobJoinIt() throws Exception {
    LargeBlob filling = LargeBlob.writeRandom(upstreamDir.resolve("a"), 8L << 20, 5, "application/octet-stream");
    LargeBlob other = LargeBlob.writeRandom(upstreamDir.resolve("b"), 1L << 20, 6, "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), ONE_FILL)) {
      upstream.putBlobFile(REPOSITORY, filling.digest(), filling.file());
      upstream.putBlobFile(REPOSITORY, other.digest(), other.file());
      // 2 MB/s: the first fill holds the only place for about four seconds.
      upstream.inject(Fault.throttle(2L << 20), "/blobs/" + filling.digest(), 1);
      RegistryClient client = new RegistryClient(node.url());
      assertEquals(200, client.getAndHangUp("/v2/" + REPOSITORY + "/blobs/" + filling.digest()));

      HttpResponse<byte[]> refused = client.get("/v2/" + REPOSITORY + "/blobs/" + other.digest());
      RegistryClient.StreamedBody joined = client.stream("/v2/" + REPOSITORY + "/blobs/" + filling.digest());

      assertEquals(503, refused.statusCode());
      assertNotNull(refused.headers().firstValue("Retry-After").orElse(null), refused.headers().toString());
      assertEquals(200, joined.status(), "a request for the blob being filled joins it");
      assertEquals(filling.digest(), joined.digest());
      assertEquals(1, upstream.count("GET", "/blobs/" + filling.digest()), "single flight");
      assertEquals(0, upstream.count("GET", "/blobs/" + other.digest()), "the refused blob was not fetched");
      Await.until(Duration.ofSeconds(10), "the place free after the commit",
          () -> client.get("/v2/" + REPOSITORY + "/blobs/" + other.digest()).statusCode() == 200);
    }
  }

  @Test
  void failedFill_freesItsPlaceAtOnce() throws Exception {
    LargeBlob broken = LargeBlob.writeRandom(upstreamDir.resolve("a"), 4L << 20, 7, "application/octet-stream");
    LargeBlob next = LargeBlob.writeRandom(upstreamDir.resolve("b"), 1L << 20, 8, "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), ONE_FILL)) {
      upstream.putBlobFile(REPOSITORY, broken.digest(), broken.file());
      upstream.putBlobFile(REPOSITORY, next.digest(), next.file());
      upstream.inject(Fault.resetMidBody(1L << 20), "/blobs/" + broken.digest(), 1);
      RegistryClient client = new RegistryClient(node.url());

      RegistryClient.StreamedBody cut = client.stream("/v2/" + REPOSITORY + "/blobs/" + broken.digest());
      assertTrue(cut.failure() != null || cut.bytes() < broken.size(), "the client saw the fill fail");

      // Far sooner than any timeout: the failed fill gave its place back.
      Await.until(Duration.ofSeconds(5), "the next cold blob served",
          () -> client.get("/v2/" + REPOSITORY + "/blobs/" + next.digest()).statusCode() == 200);
      // The client has every byte when the fill has yet to fsync and commit them.
      Await.until(Duration.ofSeconds(10), "the next blob committed",
          () -> StoredBlobs.committed(dataDir).contains(next.digest()));
    }
  }

}
