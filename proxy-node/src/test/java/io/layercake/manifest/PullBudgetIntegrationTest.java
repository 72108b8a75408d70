package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
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
 * here, half of it kept for clients): below the reserve a prewarm is refused and cached tags are
 * served as cached, marked stale, with no upstream request; clients' pulls of what the cache
 * lacks still go up until upstream's own 429, after which the mirror answers 429 itself.
 */
class PullBudgetIntegrationTest {

  private static final String TOKEN = "budget-token";

  @TempDir Path dataDir;

  @Test
  void belowTheReserve_prewarmsStopAndCachedTagsAreServedAsCached_clientsPullUntilUpstreamsOwn429() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start(FakeRegistry.Options.defaults().pullLimit(4, Duration.ofHours(1)));
        TestNode node = TestNode.start(dataDir, hub.url(), Map.of(
            "layercake.admin.token", TOKEN,
            "layercake.manifests.tag-ttl", "0s",
            "layercake.upstream-client.budget-reserve", "0.5"))) {
      for (String name : List.of("app", "tool", "other", "extra", "new", "newer", "newest")) {
        FakeImages.publish(hub, "library/" + name, "1", TestImage.singlePlatform(ImageFormat.OCI, name.hashCode(), 300));
      }
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

      HttpResponse<byte[]> cached = manifest(client, "app");
      assertEquals(200, cached.statusCode());
      assertTrue(cached.headers().firstValue("Warning").orElse("").contains("upstream pull limit low"),
          cached.headers().map().toString());
      assertEquals(0, hub.count("HEAD", "/manifests/"), "a cached tag is not revalidated below the reserve");

      assertEquals(200, manifest(client, "new").statusCode(), "a client's pull of what the cache lacks goes up");
      HttpResponse<byte[]> limited = manifest(client, "newer");
      assertEquals(429, limited.statusCode(), "upstream's own 429, passed on");
      assertTrue(limited.headers().firstValue("Retry-After").isPresent());
      hub.resetCounts();

      HttpResponse<byte[]> held = manifest(client, "newest");
      assertEquals(429, held.statusCode());
      long retryAfter = Long.parseLong(held.headers().firstValue("Retry-After").orElseThrow());
      assertTrue(retryAfter > 0 && retryAfter <= 3600, "until upstream said: " + retryAfter);
      assertTrue(new String(held.body(), StandardCharsets.UTF_8).contains("TOOMANYREQUESTS"));
      assertEquals(0, hub.requests().size(), "backing off: the mirror answered 429 itself");
      assertEquals(200, manifest(client, "tool").statusCode(), "cached content is served all along");
      assertEquals(0, hub.requests().size());

      PrometheusText metrics = PrometheusText.parse(new String(client.get("/metrics").body(), StandardCharsets.UTF_8));
      assertEquals(2, metrics.value("layercake_upstream_budget_state", "upstream", "docker-hub"), "backing off");
      assertEquals(4, metrics.value("layercake_upstream_manifest_pulls_total", "upstream", "docker-hub", "kind", "user"),
          "app, tool, other and new: upstream's 429 counted none");
      assertEquals(0, metrics.value("layercake_upstream_manifest_pulls_total", "upstream", "docker-hub", "kind", "prewarm"));
    }
  }

  private static HttpResponse<byte[]> manifest(RegistryClient client, String name) {
    return client.get("/v2/library/" + name + "/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
  }
}
