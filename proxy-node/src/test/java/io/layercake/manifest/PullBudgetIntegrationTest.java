package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.PrometheusText;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull budget against an upstream that enforces Docker Hub's limit (4 manifest GETs an hour
 * here, half of it kept for clients). Below the reserve a prewarm is refused and a tag that moved
 * upstream is served as cached, marked stale; clients' pulls of what the cache lacks go up until
 * upstream reports none left, and then the mirror answers 429 itself: it never makes upstream
 * answer 429. When someone else spends the limit, upstream's own 429 is passed on once, and the
 * mirror backs off.
 */
class PullBudgetIntegrationTest {

  private static final String TOKEN = "budget-token";

  @TempDir Path dataDir;

  @Test
  void belowTheReserve_prewarmsStopAndMovedTagsAreServedAsCached_andTheMirrorStopsBeforeUpstreams429()
      throws Exception {
    try (FakeRegistry hub = FakeRegistry.start(FakeRegistry.Options.defaults().pullLimit(4, Duration.ofHours(1)));
        TestNode node = start(hub)) {
      publish(hub, "app", "tool", "other", "extra", "new", "newer");
      RegistryClient client = new RegistryClient(node.url());
      assertEquals(200, manifest(client, "app").statusCode());
      assertEquals(200, manifest(client, "tool").statusCode());
      // 2 of 4 left: not below the reserve (half of 4); this pull leaves 1, which is.
      assertEquals(200, manifest(client, "other").statusCode());
      hub.resetCounts();

      HttpResponse<String> prewarm = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(node.url() + "/admin/pull?image=extra:1"))
          .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(429, prewarm.statusCode(), prewarm.body());
      assertTrue(prewarm.body().contains("reserve"), prewarm.body());
      assertEquals(0, hub.count("GET", "/manifests/"), "the prewarm asked nothing of upstream");

      HttpResponse<byte[]> unchanged = manifest(client, "tool");
      assertEquals(200, unchanged.statusCode());
      assertFalse(unchanged.headers().firstValue("Warning").isPresent(), "revalidated with a free HEAD");
      FakeImages.publish(hub, "library/app", "1", TestImage.singlePlatform(ImageFormat.OCI, 99, 300));
      HttpResponse<byte[]> moved = manifest(client, "app");
      assertEquals(200, moved.statusCode());
      assertTrue(moved.headers().firstValue("Warning").orElse("").contains("upstream pull limit low"),
          moved.headers().map().toString());
      assertEquals(2, hub.count("HEAD", "/manifests/1"));
      assertEquals(0, hub.count("GET", "/manifests/"), "the moved tag's new manifest was not fetched");

      assertEquals(200, manifest(client, "new").statusCode(), "a client's pull of what the cache lacks goes up");
      hub.resetCounts();
      HttpResponse<byte[]> held = manifest(client, "newer");
      assertEquals(429, held.statusCode(), "upstream reported none left: the mirror answers 429 itself");
      long retryAfter = Long.parseLong(held.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter > 0 && retryAfter <= 60, "until the mirror asks upstream again: " + retryAfter);
      assertTrue(new String(held.body(), StandardCharsets.UTF_8).contains("TOOMANYREQUESTS"));
      assertEquals(0, hub.count("GET", "/manifests/"), "upstream was not made to answer 429");
      assertEquals(200, manifest(client, "other").statusCode(), "cached content is served all along");

      PrometheusText metrics = PrometheusText.parse(new String(client.get("/metrics").body(), StandardCharsets.UTF_8));
      assertEquals(2, metrics.value("layercake_upstream_budget_state", "upstream", "docker-hub"), "none left");
      assertEquals(4, metrics.value("layercake_upstream_manifest_pulls_total", "upstream", "docker-hub", "kind", "user"));
      assertEquals(0, metrics.value("layercake_upstream_manifest_pulls_total", "upstream", "docker-hub", "kind", "prewarm"));
    }
  }

  @Test
  void someoneElseSpendsTheLimit_upstreams429IsPassedOnOnce_thenTheMirrorBacksOff() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start(FakeRegistry.Options.defaults().pullLimit(3, Duration.ofHours(1)));
        TestNode node = start(hub)) {
      publish(hub, "app", "new", "newer");
      RegistryClient client = new RegistryClient(node.url());
      assertEquals(200, manifest(client, "app").statusCode());
      // Another client behind the same address spends the rest directly.
      RegistryClient direct = new RegistryClient(hub.url());
      assertEquals(200, manifest(direct, "app").statusCode());
      assertEquals(200, manifest(direct, "app").statusCode());

      HttpResponse<byte[]> limited = manifest(client, "new");
      assertEquals(429, limited.statusCode(), "upstream's 429, passed on");
      assertTrue(limited.headers().firstValue("Retry-After").isPresent());
      hub.resetCounts();
      HttpResponse<byte[]> held = manifest(client, "newer");
      assertEquals(429, held.statusCode());
      assertEquals(0, hub.requests().size(), "backing off: the mirror answered 429 itself");
      assertEquals(200, manifest(client, "app").statusCode(), "cached content is served all along");
    }
  }

  private TestNode start(FakeRegistry hub) {
    return TestNode.start(dataDir, hub.url(), Map.of(
        "layercake.admin.token", TOKEN,
        "layercake.manifests.tag-ttl", "0s",
        "layercake.upstream-client.budget-reserve", "0.5"));
  }

  private static void publish(FakeRegistry hub, String... names) {
    for (String name : List.of(names)) {
      FakeImages.publish(hub, "library/" + name, "1", TestImage.singlePlatform(ImageFormat.OCI, name.hashCode(), 300));
    }
  }

  private static HttpResponse<byte[]> manifest(RegistryClient client, String name) {
    return client.get("/v2/library/" + name + "/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
  }
}
