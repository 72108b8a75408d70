package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.PlatformManifest;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upstream's {@code platforms} list: what {@code layercake pull} prewarms of a multi-platform
 * image when it is given no platform or {@code all}. An explicit platform is always taken, and
 * another upstream keeps docker's default.
 */
class PrewarmPlatformsIntegrationTest {

  private static final String TOKEN = "platforms-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dataDir;
  private static FakeRegistry hub;
  private static FakeRegistry quay;
  private static TestNode node;

  @BeforeAll
  static void start() {
    hub = FakeRegistry.start();
    quay = FakeRegistry.start();
    node = TestNode.start(dataDir, hub.url(), Map.of(
        "layercake.admin.token", TOKEN,
        "layercake.upstreams.quay.url", quay.url(),
        "layercake.upstreams.quay.namespaces", List.of("quay.io"),
        "layercake.upstreams.quay.platforms", List.of("linux/arm64")));
  }

  @AfterAll
  static void stop() {
    node.close();
    hub.close();
    quay.close();
  }

  @Test
  void noPlatformOrAll_takesTheUpstreamsListedPlatformsOnly() throws Exception {
    Image image = TestImage.multiPlatform(ImageFormat.OCI, 701, 2000);
    FakeImages.publish(quay, "org/multi", "1", image);

    assertEquals(200, prewarm("quay.io/org/multi:1", "").statusCode());
    assertEquals(200, prewarm("quay.io/org/multi:1", "&platform=all").statusCode());

    assertEquals(0, fetched(quay, platform(image, "amd64")), "amd64 is not listed");
    assertEquals(platform(image, "arm64").size(), fetched(quay, platform(image, "arm64")), "arm64, once each");
  }

  @Test
  void anExplicitPlatform_isTaken_andAnUpstreamWithoutAListKeepsDockersDefault() throws Exception {
    Image onQuay = TestImage.multiPlatform(ImageFormat.OCI, 702, 2000);
    Image onHub = TestImage.multiPlatform(ImageFormat.OCI, 703, 2000);
    FakeImages.publish(quay, "org/asked", "1", onQuay);
    FakeImages.publish(hub, "org/default", "1", onHub);

    assertEquals(200, prewarm("quay.io/org/asked:1", "&platform=linux/amd64").statusCode());
    assertEquals(200, prewarm("org/default:1", "").statusCode());

    assertEquals(platform(onQuay, "amd64").size(), fetched(quay, platform(onQuay, "amd64")));
    assertEquals(0, fetched(quay, platform(onQuay, "arm64")));
    assertEquals(platform(onHub, "amd64").size(), fetched(hub, platform(onHub, "amd64")));
    assertEquals(0, fetched(hub, platform(onHub, "arm64")));
  }

  /** Prewarms {@code image} and reads the progress stream to its end. */
  private static HttpResponse<String> prewarm(String image, String query) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(node.url() + "/admin/pull?image=" + image + query))
        .header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(response.body().contains("\"errors\":0"), response.body());
    return response;
  }

  /** The config and layer digests of {@code image}'s platform whose architecture is {@code architecture}. */
  private static List<String> platform(Image image, String architecture) throws IOException {
    PlatformManifest chosen = image.platformManifests().stream()
        .filter(each -> each.platform().architecture().equals(architecture)).findFirst().orElseThrow();
    JsonNode manifest = JSON.readTree(chosen.manifest().bytes());
    List<String> digests = new ArrayList<>();
    digests.add(manifest.path("config").path("digest").asText());
    manifest.path("layers").forEach(layer -> digests.add(layer.path("digest").asText()));
    return digests;
  }

  /** How many blob GETs {@code registry} answered for {@code digests}. */
  private static int fetched(FakeRegistry registry, List<String> digests) {
    return digests.stream().mapToInt(digest -> registry.count("GET", "/blobs/" + digest)).sum();
  }
}
