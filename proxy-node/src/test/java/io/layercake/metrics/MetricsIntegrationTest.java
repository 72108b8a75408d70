package io.layercake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.PrometheusClientParser;
import io.layercake.testkit.PrometheusText;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} of a node pulling from the fake upstream: its format, and that it counts. */
class MetricsIntegrationTest {

  private static final String SECRET = "metrics-test-cluster-secret";
  private static final String ADMIN_TOKEN = "metrics-test-admin-token";

  @TempDir Path dataDir;
  private FakeRegistry upstream;
  private TestNode node;
  private RegistryClient client;

  @BeforeEach
  void start() {
    upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true).rateLimit(100));
    node = TestNode.start(dataDir, upstream.url(), Map.of(
        "layercake.cluster.secret", SECRET, "layercake.admin.token", ADMIN_TOKEN));
    client = new RegistryClient(node.url());
  }

  @AfterEach
  void stop() {
    node.close();
    upstream.close();
  }

  @Test
  void metrics_coldThenWarmPull_countersMoveAsDefined() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 7, 300_000);
    FakeImages.publish(upstream, "library/redis", "7", image);
    Blob layer = image.blobs().stream().filter(b -> b.size() > 100_000).findFirst().orElseThrow();
    String blobPath = "/v2/library/redis/blobs/" + layer.digest();
    PrometheusText before = scrape();

    // Cold: the tag and the blob come from upstream; the blob through a fill.
    assertEquals(200, client.get("/v2/library/redis/manifests/7").statusCode());
    HttpResponse<byte[]> cold = client.get(blobPath);
    assertEquals(200, cold.statusCode());
    assertEquals(layer.size(), cold.body().length);
    Await.until(Duration.ofSeconds(10), "the cold blob is committed",
        () -> node.node().store().find(Digest.parse(layer.digest())).isPresent());
    PrometheusText afterCold = scrape();

    assertEquals(1, delta(before, afterCold, "layercake_cache_misses_total", "kind", "blob"));
    assertEquals(0, delta(before, afterCold, "layercake_cache_hits_total", "kind", "blob"));
    assertEquals(1, delta(before, afterCold, "layercake_blob_fills_started_total", "source", "upstream"));
    assertEquals(0, delta(before, afterCold, "layercake_blob_fill_coalesced_total"));
    assertEquals(layer.size(),
        delta(before, afterCold, "layercake_upstream_blob_bytes_total", "upstream", "docker-hub"));
    assertEquals(layer.size(), delta(before, afterCold, "layercake_served_bytes_total", "endpoint", "blob"));
    assertEquals(1, delta(before, afterCold, "layercake_cache_misses_total", "kind", "manifest"));
    assertEquals(1, delta(before, afterCold,
        "layercake_upstream_request_duration_seconds_count", "upstream", "docker-hub", "kind", "blob"));
    assertTrue(afterCold.value("layercake_upstream_request_duration_seconds_count", "upstream", "docker-hub",
        "kind", "token") >= 1,
        "the fake upstream demands tokens, so at least one was fetched");
    assertEquals(100, afterCold.value("layercake_upstream_ratelimit_limit", "upstream", "docker-hub"));
    assertTrue(afterCold.value("layercake_upstream_ratelimit_remaining", "upstream", "docker-hub") < 100);
    assertTrue(afterCold.value("layercake_store_bytes") >= layer.size());
    assertTrue(afterCold.value("layercake_store_blobs") >= 1);

    // Warm: the same blob and tag again, served from this node without upstream.
    assertEquals(200, client.get("/v2/library/redis/manifests/7").statusCode());
    HttpResponse<byte[]> warm = client.get(blobPath);
    assertEquals(200, warm.statusCode());
    PrometheusText afterWarm = scrape();

    assertEquals(1, delta(afterCold, afterWarm, "layercake_cache_hits_total", "kind", "blob"));
    assertEquals(0, delta(afterCold, afterWarm, "layercake_cache_misses_total", "kind", "blob"));
    assertEquals(layer.size(), delta(afterCold, afterWarm, "layercake_served_bytes_total", "endpoint", "blob"));
    assertEquals(0, delta(afterCold, afterWarm, "layercake_upstream_blob_bytes_total", "upstream", "docker-hub"));
    assertEquals(0, delta(afterCold, afterWarm, "layercake_blob_fills_started_total", "source", "upstream"));
    assertEquals(1, delta(afterCold, afterWarm, "layercake_cache_hits_total", "kind", "manifest"));
    assertEquals(0, delta(afterCold, afterWarm, "layercake_cache_misses_total", "kind", "manifest"));
    assertEquals(2, afterWarm.value("layercake_http_requests_total", "endpoint", "blob", "code", "200"));
    assertEquals(2, afterWarm.value("layercake_http_requests_total", "endpoint", "manifest", "code", "200"));
    assertEquals(0, afterWarm.value("layercake_blob_fills_in_flight"));
  }

  @Test
  void metrics_concurrentColdPulls_oneFillAndTheRestCoalesced(@TempDir Path upstreamDir) throws Exception {
    int clients = 4;
    LargeBlob blob = LargeBlob.writeRandom(upstreamDir.resolve("blob"), 8L << 20, 44, "application/octet-stream");
    upstream.putBlobFile("library/herd", blob.digest(), blob.file());
    // 8 MB/s: the fill takes about a second, so every client asks while it runs.
    upstream.inject(Fault.throttle(8L << 20), "/blobs/", FakeRegistry.FOREVER);
    PrometheusText before = scrape();

    ExecutorService pool = Executors.newFixedThreadPool(clients);
    List<Future<HttpResponse<byte[]>>> pulls = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      pulls.add(pool.submit(() -> client.get("/v2/library/herd/blobs/" + blob.digest())));
    }
    for (Future<HttpResponse<byte[]>> pull : pulls) {
      assertEquals(200, pull.get().statusCode());
    }
    pool.shutdown();
    PrometheusText after = scrape();

    assertEquals(clients, delta(before, after, "layercake_cache_misses_total", "kind", "blob"));
    assertEquals(1, delta(before, after, "layercake_blob_fills_started_total", "source", "upstream"));
    assertEquals(clients - 1, delta(before, after, "layercake_blob_fill_coalesced_total"));
    assertEquals(blob.size(), delta(before, after, "layercake_upstream_blob_bytes_total", "upstream", "docker-hub"));
    assertEquals(clients * blob.size(), delta(before, after, "layercake_served_bytes_total", "endpoint", "blob"));
  }

  @Test
  void metrics_missingTag_countsUpstreamErrorAndClientStatus() {
    FakeImages.publish(upstream, "library/redis", "7", TestImage.singlePlatform(ImageFormat.DOCKER, 8, 1000));
    assertEquals(404, client.get("/v2/library/redis/manifests/nope").statusCode());

    PrometheusText text = scrape();

    assertEquals(1, text.value("layercake_http_requests_total", "endpoint", "manifest", "code", "404"));
    assertEquals(1, text.value("layercake_upstream_errors_total", "upstream", "docker-hub", "kind", "manifest",
        "code", "MANIFEST_UNKNOWN"));
  }

  @Test
  void metrics_response_isPrometheusTextAndRevealsNoSecret() {
    HttpResponse<byte[]> response = client.get("/metrics");
    String body = new String(response.body(), StandardCharsets.UTF_8);

    assertEquals(200, response.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=UTF-8",
        response.headers().firstValue("Content-Type").orElseThrow());
    PrometheusText.parse(body);
    assertFalse(body.contains(SECRET));
    assertFalse(body.contains(ADMIN_TOKEN));
    assertFalse(body.contains("Bearer"));
    assertFalse(body.contains(upstream.url()));
  }

  @Test
  void metrics_afterAPull_readByPrometheusOwnParsersInBothFormats() {
    PrometheusClientParser.require();
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 9, 200_000);
    FakeImages.publish(upstream, "library/redis", "7", image);
    assertEquals(200, client.get("/v2/library/redis/manifests/7").statusCode());
    for (Blob blob : image.blobs()) {
      assertEquals(200, client.get("/v2/library/redis/blobs/" + blob.digest()).statusCode());
    }
    String openMetricsAccept = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3";

    HttpResponse<byte[]> plain = client.get("/metrics");
    HttpResponse<byte[]> open = client.get("/metrics", "Accept", openMetricsAccept);

    assertTrue(open.headers().firstValue("Content-Type").orElseThrow().startsWith("application/openmetrics-text"));
    Map<String, String> fromText = PrometheusClientParser.families(new String(plain.body(), StandardCharsets.UTF_8), false);
    Map<String, String> fromOpen = PrometheusClientParser.families(new String(open.body(), StandardCharsets.UTF_8), true);
    for (Map<String, String> families : List.of(fromText, fromOpen)) {
      assertEquals("counter", families.get("layercake_http_requests"), families.toString());
      assertEquals("histogram", families.get("layercake_http_request_duration_seconds"));
      assertEquals("histogram", families.get("layercake_upstream_request_duration_seconds"));
      assertEquals("gauge", families.get("layercake_store_bytes"));
      assertEquals("gauge", families.get("layercake_cluster_members"));
      assertEquals("gauge", families.get("jvm_memory_used_bytes"));
      assertEquals("counter", families.get("process_cpu_seconds"));
    }
    assertEquals("gauge", fromText.get("layercake_build_info"));
    assertEquals("info", fromOpen.get("layercake_build"));
  }

  @Test
  void metrics_scrapedTwice_countsItsOwnRequests() {
    scrape();
    PrometheusText second = scrape();

    assertEquals(1, second.value("layercake_http_requests_total", "endpoint", "metrics", "code", "200"));
  }

  private PrometheusText scrape() {
    HttpResponse<byte[]> response = client.get("/metrics");
    assertEquals(200, response.statusCode());
    return PrometheusText.parse(new String(response.body(), StandardCharsets.UTF_8));
  }

  private static double delta(PrometheusText before, PrometheusText after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }
}
