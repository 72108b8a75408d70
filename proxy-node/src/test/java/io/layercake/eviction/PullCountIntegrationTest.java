package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.cli.LayercakeCli;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.Manifest;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One definition of a pull (a manifest request by tag), shown the same way by {@code images},
 * the status page and {@code /metrics}, and kept across a restart. The case: after three
 * pulls each of {@code multi} and {@code small}, the page said 3 and 3 while {@code images} said
 * 5 and 2, and listed {@code medium}, never pulled by tag, with a recent LAST PULLED.
 */
class PullCountIntegrationTest {

  private static final String TOKEN = "verbs-token";
  private static final String ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, "
      + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
  private static final Pattern PULLS_TOTAL = Pattern.compile("(?m)^layercake_image_pulls_total (\\S+)$");

  @TempDir Path dataDir;

  @Test
  void pulls_agreeInImagesStatusPageAndMetrics_andSurviveARestart() throws Exception {
    Image small = TestImage.singlePlatform(ImageFormat.DOCKER, 5, 40_000);
    Image multi = TestImage.multiPlatform(ImageFormat.OCI, 5, 40_000);
    Image medium = TestImage.singlePlatform(ImageFormat.DOCKER, 6, 120_000);
    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, "library/small", "1", small);
      FakeImages.publish(upstream, "library/multi", "1", multi);
      FakeImages.publish(upstream, "library/medium", "1", medium);
      Map<String, Object> config = Map.of("layercake.admin.token", TOKEN);
      try (TestNode node = TestNode.start(dataDir, upstream.url(), config)) {
        RegistryClient client = new RegistryClient(node.url());
        for (int i = 0; i < 3; i++) {
          dockerPull(client, "library/small", small);
          containerdPull(client, "library/multi", multi);
        }
        // medium: prewarmed by the operator, then pulled by digest only. Neither is a tag pull.
        LayercakeCli.Output prewarm = LayercakeCli.run("pull", "--url", node.url(), "medium:1");
        assertEquals(0, prewarm.status(), prewarm.err());
        assertEquals(200, client.get("/v2/library/medium/manifests/" + medium.digest(), "Accept", ACCEPT)
            .statusCode());

        assertPulls(node.url(), Map.of("small", "3", "multi", "3", "medium", "0"));
        assertEquals("Never", lastPulled(node.url()).get("medium"));
        assertTrue(lastPulled(node.url()).get("small").endsWith("ago"), lastPulled(node.url()).toString());
        String page = new String(client.get("/").body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("<td>small:1</td><td>docker.io</td><td class=\"num\">3</td>"), page);
        assertTrue(page.contains("<td>multi:1</td><td>docker.io</td><td class=\"num\">3</td>"), page);
        assertFalse(page.contains("medium:1"), "never pulled by tag: " + page);
        assertEquals(6.0, pullsTotal(client), "the node's total: 3 + 3");
      }
      try (TestNode restarted = TestNode.start(dataDir, upstream.url(), config)) {
        assertPulls(restarted.url(), Map.of("small", "3", "multi", "3", "medium", "0"));
        dockerPull(new RegistryClient(restarted.url()), "library/small", small);
        assertPulls(restarted.url(), Map.of("small", "4", "multi", "3", "medium", "0"));
        assertEquals(1.0, pullsTotal(new RegistryClient(restarted.url())), "a counter since start");
      }
    }
  }

  /** What docker and skopeo do: GET the tag, then the config and layers. */
  private static void dockerPull(RegistryClient client, String repository, Image image) {
    HttpResponse<byte[]> manifest = client.get("/v2/" + repository + "/manifests/1", "Accept", ACCEPT);
    assertEquals(200, manifest.statusCode(), new String(manifest.body(), StandardCharsets.UTF_8));
    for (Blob blob : image.blobs()) {
      assertEquals(200, client.get("/v2/" + repository + "/blobs/" + blob.digest()).statusCode());
    }
  }

  /** What containerd does: HEAD the tag, then GET the index and a platform manifest by digest. */
  private static void containerdPull(RegistryClient client, String repository, Image image) {
    HttpResponse<byte[]> head = client.head("/v2/" + repository + "/manifests/1", "Accept", ACCEPT);
    assertEquals(200, head.statusCode());
    String digest = head.headers().firstValue("Docker-Content-Digest").orElseThrow();
    assertEquals(image.digest(), digest);
    for (Manifest manifest : image.allManifests()) {
      assertEquals(200, client.get("/v2/" + repository + "/manifests/" + manifest.digest(), "Accept", ACCEPT)
          .statusCode());
    }
    for (Blob blob : image.blobs()) {
      assertEquals(200, client.get("/v2/" + repository + "/blobs/" + blob.digest()).statusCode());
    }
  }

  private static void assertPulls(String url, Map<String, String> expected) throws IOException {
    Map<String, String> pulls = new HashMap<>();
    for (JsonNode image : images(url)) {
      pulls.put(image.path("Repository").asText(), image.path("Pulls").asText());
    }
    assertEquals(expected, pulls);
  }

  private static Map<String, String> lastPulled(String url) throws IOException {
    Map<String, String> last = new HashMap<>();
    for (JsonNode image : images(url)) {
      last.put(image.path("Repository").asText(), image.path("LastPulled").asText());
    }
    return last;
  }

  /** {@code layercake images --format json}, one object per image, once the node's keeper answers. */
  private static Iterable<JsonNode> images(String url) throws IOException {
    LayercakeCli.Output[] listed = new LayercakeCli.Output[1];
    // Just after a start the node's cache keeper may not be registered yet: images answers 503.
    Await.until(Duration.ofSeconds(30), "images answers", () -> {
      listed[0] = LayercakeCli.run("images", "--url", url, "--format", "json");
      return listed[0].status() == 0;
    });
    return parse(listed[0]);
  }

  private static Iterable<JsonNode> parse(LayercakeCli.Output listed) {
    return listed.out().lines().map(line -> {
      try {
        return Json.MAPPER.readTree(line);
      } catch (IOException e) {
        throw new AssertionError(line, e);
      }
    }).toList();
  }

  private static double pullsTotal(RegistryClient client) {
    String metrics = new String(client.get("/metrics").body(), StandardCharsets.UTF_8);
    Matcher total = PULLS_TOTAL.matcher(metrics);
    assertTrue(total.find(), metrics);
    return Double.parseDouble(total.group(1));
  }
}
