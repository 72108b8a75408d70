package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * save and load across registries: one archive holds Docker Hub's org/app and GHCR's org/app,
 * named as docker names them, and a fresh node that loads it serves each from its own registry
 * with no upstream request.
 */
class RegistrySaveLoadIntegrationTest {

  private static final String TOKEN = "save-load-token";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path work;

  @Test
  void theSameNameOnTwoRegistries_staysTwoImages_throughAnArchive() throws Exception {
    Image fromHub = TestImage.singlePlatform(ImageFormat.OCI, 801, 3000);
    Image fromGhcr = TestImage.singlePlatform(ImageFormat.OCI, 802, 4000);
    assertNotEquals(fromHub.digest(), fromGhcr.digest());
    try (FakeRegistry hub = FakeRegistry.start(); FakeRegistry ghcr = FakeRegistry.start()) {
      FakeImages.publish(hub, "org/app", "1", fromHub);
      FakeImages.publish(ghcr, "org/app", "1", fromGhcr);
      Map<String, Object> config = Map.of(
          "layercake.admin.token", TOKEN,
          "layercake.upstreams.ghcr.url", ghcr.url(),
          "layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"));

      byte[] archive;
      try (TestNode source = TestNode.start(work.resolve("source"), hub.url(), config)) {
        HttpResponse<byte[]> saved = HTTP.send(HttpRequest.newBuilder(
                URI.create(source.url() + "/admin/save?image=org/app:1&image=ghcr.io/org/app:1"))
            .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, saved.statusCode(), new String(saved.body(), StandardCharsets.UTF_8));
        archive = saved.body();
      }
      String text = new String(archive, StandardCharsets.ISO_8859_1);
      assertTrue(text.contains("\"RepoTags\":[\"org/app:1\"]"), "Docker Hub's image, named as docker names it");
      assertTrue(text.contains("\"RepoTags\":[\"ghcr.io/org/app:1\"]"), "GHCR's, with its host");

      hub.resetCounts();
      ghcr.resetCounts();
      try (TestNode target = TestNode.start(work.resolve("target"), hub.url(), config)) {
        HttpResponse<String> loaded = HTTP.send(HttpRequest.newBuilder(URI.create(target.url() + "/admin/load"))
            .header("Authorization", "Bearer " + TOKEN)
            .POST(HttpRequest.BodyPublishers.ofByteArray(archive)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, loaded.statusCode(), loaded.body());

        RegistryClient client = new RegistryClient(target.url());
        assertPulls(client, "/v2/org/app", fromHub);
        assertPulls(client, "/v2/ghcr.io/org/app", fromGhcr);
        assertPulls(client, "/v2/org/app", fromGhcr, "?ns=ghcr.io");
      }
      assertEquals(List.of(), hub.requests(), "the loaded images need no upstream");
      assertEquals(List.of(), ghcr.requests(), "the loaded images need no upstream");
    }
  }

  private static void assertPulls(RegistryClient client, String prefix, Image image) {
    assertPulls(client, prefix, image, "");
  }

  private static void assertPulls(RegistryClient client, String prefix, Image image, String query) {
    HttpResponse<byte[]> manifest = client.get(prefix + "/manifests/1" + query, "Accept", MirrorClient.MANIFEST_ACCEPT);
    assertEquals(200, manifest.statusCode(), prefix + query);
    assertArrayEquals(image.manifest().bytes(), manifest.body(), prefix + query);
    for (String digest : image.blobDigests()) {
      HttpResponse<byte[]> blob = client.get(prefix + "/blobs/" + digest + query);
      assertEquals(digest, RegistryClient.digestOf(blob.body()), prefix + query);
    }
  }
}
