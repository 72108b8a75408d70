package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, acceptance 4: a node whose seeds cannot be reached is alive but not ready, and a
 * request that needs the cluster (and /v2/) gets a 503 with Retry-After within 5 s instead of waiting out the
 * ask timeout; once its seed comes up and the cluster forms, it is ready and serves.
 */
class ReadinessIntegrationTest {

  /** Far longer than the bound below: a request that waited for the entity would show it. */
  private static final String ASK_TIMEOUT = "60s";

  @TempDir Path work;

  @Test
  void unreachableSeeds_notReady_blobAndManifest503Fast_readyOnceClusterForms() throws Exception {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 11, 2048, 50_000);
    int seedPort = FreePorts.next();
    Map<String, Object> cluster = Map.of(
        "layercake.cluster.seed-nodes", "127.0.0.1:" + seedPort,
        "layercake.cluster.secret", TestCluster.SECRET,
        "layercake.blobs.ask-timeout", ASK_TIMEOUT,
        "layercake.manifests.ask-timeout", ASK_TIMEOUT);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode waiting = TestNode.start(work.resolve("waiting"), upstream.url(), cluster)) {
      FakeImages.publish(upstream, "library/ready", "1", image);
      RegistryClient client = new RegistryClient(waiting.url());

      assertEquals(200, client.get("/livez").statusCode());
      HttpResponse<byte[]> readiness = client.get("/readyz");
      assertEquals(503, readiness.statusCode());
      assertTrue(text(readiness).contains("\"ready\":false"), text(readiness));

      for (String path : new String[] {"/v2/",
          "/v2/library/ready/blobs/" + image.blobs().get(image.blobs().size() - 1).digest(), "/v2/library/ready/manifests/1"}) {
        long started = System.nanoTime();
        HttpResponse<byte[]> refused = client.get(path);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(503, refused.statusCode(), path + ": " + text(refused));
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, path + " took " + took);
        assertTrue(refused.headers().firstValue("Retry-After").isPresent(), path + " has no Retry-After");
        assertTrue(text(refused).contains("UNAVAILABLE"), text(refused));
      }
      assertEquals(0, upstream.count("GET", "/blobs/"), "a node outside the cluster fetched a blob");

      // The seed comes up: it is the first seed of its own list, so it forms the cluster, and the
      // waiting node joins it.
      try (TestNode seed = TestNode.start(work.resolve("seed"), upstream.url(), Map.of(
          "layercake.cluster.port", seedPort,
          "layercake.cluster.seed-nodes", "127.0.0.1:" + seedPort,
          "layercake.cluster.secret", TestCluster.SECRET))) {
        Await.until(Duration.ofSeconds(60), "both nodes ready", () ->
            client.get("/readyz").statusCode() == 200 && new RegistryClient(seed.url()).get("/readyz").statusCode() == 200);
        assertTrue(text(client.get("/readyz")).contains("\"member\":\"Up\""));
        HttpResponse<byte[]> blob = client.get("/v2/library/ready/blobs/" + image.blobs().get(image.blobs().size() - 1).digest());
        assertEquals(200, client.get("/v2/").statusCode(), "the ready node's /v2/");
        assertEquals(200, blob.statusCode(), text(blob));
        assertEquals(image.blobs().get(image.blobs().size() - 1).digest(), RegistryClient.digestOf(blob.body()));
      }
    }
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
