package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's verbs on a node mirroring two registries that both hold {@code org/app:1}, as
 * two different images: {@code images} names them the way docker does ({@code org/app},
 * {@code ghcr.io/org/app}), and {@code rmi}, {@code pin} and {@code prune --filter reference}
 * act on the one the name or pattern means, never on the other registry's. The status page shows
 * the pulls by registry.
 */
class RegistryImagesIntegrationTest {

  private static final String TOKEN = "registry-images-token";

  @TempDir Path dataDir;

  @Test
  void sameNameOnTwoRegistries_isTwoImages_andEveryVerbActsOnTheOneItNames() {
    try (FakeRegistry hub = FakeRegistry.start();
        FakeRegistry ghcr = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, hub.url(), Map.of(
            "layercake.upstreams.ghcr.url", ghcr.url(),
            "layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"),
            "layercake.admin.token", TOKEN))) {
      Image fromHub = TestImage.singlePlatform(ImageFormat.OCI, 501, 3000);
      Image fromGhcr = TestImage.singlePlatform(ImageFormat.OCI, 502, 4000);
      FakeImages.publish(hub, "org/app", "1", fromHub);
      FakeImages.publish(ghcr, "org/app", "1", fromGhcr);
      RegistryClient client = new RegistryClient(node.url());
      pull(client, "/v2/org/app", fromHub);
      pull(client, "/v2/ghcr.io/org/app", fromGhcr);

      String statusPage = body(client.get("/"));
      assertTrue(statusPage.contains("<td>ghcr.io/org/app:1</td><td>ghcr.io</td>"), statusPage);
      assertTrue(statusPage.contains("<td>org/app:1</td><td>docker.io</td>"), statusPage);
      assertTrue(statusPage.contains("<td>ghcr.io</td><td>ghcr</td><td class=\"num\">1</td><td class=\"num\">1</td>"),
          "pulls by registry: " + statusPage);

      JsonNode images = admin(client, "GET", "/admin/images");
      assertEquals(Set.of("org/app:1 docker-hub " + fromHub.digest(), "ghcr.io/org/app:1 ghcr " + fromGhcr.digest()),
          listed(images));
      assertEquals(Set.of("ghcr.io/org/app:1 ghcr " + fromGhcr.digest()),
          listed(admin(client, "GET", "/admin/images?reference=ghcr.io/*")));
      assertEquals(Set.of("org/app:1 docker-hub " + fromHub.digest()),
          listed(admin(client, "GET", "/admin/images?reference=org/*")), "no host: Docker Hub's, as docker reads it");

      assertEquals(List.of("ghcr.io/org/app:1"), texts(admin(client, "POST", "/admin/pins?image=ghcr.io/org/app:1")
          .path("images")));
      // Docker Hub's org/app:1 is not the pinned one: it goes, and ghcr's stays.
      JsonNode removed = admin(client, "POST", "/admin/rmi?image=org/app:1");
      assertEquals(List.of("org/app:1"), texts(removed.path("untagged")));
      assertEquals(Set.of("ghcr.io/org/app:1 ghcr " + fromGhcr.digest()),
          listed(admin(client, "GET", "/admin/images")));
      HttpResponse<byte[]> refused = send(client, "POST", "/admin/rmi?image=ghcr.io/org/app:1");
      assertEquals(403, refused.statusCode(), body(refused));

      assertEquals(List.of("ghcr.io/org/app:1"), texts(admin(client, "DELETE", "/admin/pins?image=ghcr.io/org/app:1")
          .path("images")));
      JsonNode untouched = admin(client, "POST", "/admin/prune?all=true&reference=quay.io/*");
      assertEquals(0, untouched.path("untagged").size(), untouched.toString());
      JsonNode pruned = admin(client, "POST", "/admin/prune?all=true&reference=ghcr.io/*");
      assertEquals(List.of("ghcr.io/org/app:1"), texts(pruned.path("untagged")));
      assertEquals(Set.of(), listed(admin(client, "GET", "/admin/images")));

      HttpResponse<byte[]> unknown = send(client, "POST", "/admin/rmi?image=quay.io/org/app:1");
      assertEquals(404, unknown.statusCode(), body(unknown));
      assertTrue(body(unknown).contains("NAME_UNKNOWN"), body(unknown));
    }
  }

  @Test
  void ageRule_withARegistryHost_removesThatRegistrysImageOnly() {
    try (FakeRegistry hub = FakeRegistry.start();
        FakeRegistry ghcr = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, hub.url(), Map.of(
            "layercake.upstreams.ghcr.url", ghcr.url(),
            "layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"),
            "layercake.eviction.rules", List.of(Map.of("match", "ghcr.io/org/*", "max-age", "2s")),
            "layercake.eviction.rule-interval", "300ms",
            "layercake.admin.token", TOKEN))) {
      Image fromHub = TestImage.singlePlatform(ImageFormat.OCI, 503, 3000);
      Image fromGhcr = TestImage.singlePlatform(ImageFormat.OCI, 504, 4000);
      FakeImages.publish(hub, "org/app", "1", fromHub);
      FakeImages.publish(ghcr, "org/app", "1", fromGhcr);
      RegistryClient client = new RegistryClient(node.url());
      pull(client, "/v2/org/app", fromHub);
      pull(client, "/v2/ghcr.io/org/app", fromGhcr);

      Await.until(Duration.ofSeconds(30), "the rule removed ghcr's org/app",
          () -> listed(admin(client, "GET", "/admin/images")).size() == 1);

      assertEquals(Set.of("org/app:1 docker-hub " + fromHub.digest()), listed(admin(client, "GET", "/admin/images")),
          "Docker Hub's org/app is not ghcr.io/org/*");
    }
  }

  private static void pull(RegistryClient client, String prefix, Image image) {
    HttpResponse<byte[]> manifest = client.get(prefix + "/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
    assertEquals(200, manifest.statusCode(), prefix + ": " + body(manifest));
    for (String digest : image.blobDigests()) {
      HttpResponse<byte[]> blob = client.get(prefix + "/blobs/" + digest);
      assertEquals(digest, RegistryClient.digestOf(blob.body()), prefix);
    }
  }

  /** Each listed image as {@code repository:tag upstream id}. */
  private static Set<String> listed(JsonNode images) {
    Set<String> listed = new HashSet<>();
    images.path("images").forEach(image -> listed.add(image.path("repository").asText() + ":"
        + image.path("tag").asText() + " " + image.path("upstream").asText() + " " + image.path("id").asText()));
    return listed;
  }

  private static List<String> texts(JsonNode array) {
    return Json.MAPPER.convertValue(array, Json.MAPPER.getTypeFactory().constructCollectionType(List.class,
        String.class));
  }

  private static HttpResponse<byte[]> send(RegistryClient client, String method, String path) {
    AtomicReference<HttpResponse<byte[]>> response = new AtomicReference<>();
    // 503 until the node's cache keeper is known to the cluster.
    Await.until(Duration.ofSeconds(20), "an admin answer other than 503 to " + path, () -> {
      response.set(client.send(method, path, "Authorization", "Bearer " + TOKEN));
      return response.get().statusCode() != 503;
    });
    return response.get();
  }

  private static JsonNode admin(RegistryClient client, String method, String path) {
    HttpResponse<byte[]> response = send(client, method, path);
    assertEquals(200, response.statusCode(), path + ": " + body(response));
    try {
      return Json.MAPPER.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
