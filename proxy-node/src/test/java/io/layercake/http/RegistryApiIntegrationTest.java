package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pull-through behaviour of one node against the in-JVM fake upstream. */
class RegistryApiIntegrationTest {

  private static final String ALL_TYPES = String.join(", ",
      "application/vnd.oci.image.index.v1+json",
      "application/vnd.docker.distribution.manifest.list.v2+json",
      "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json");

  @TempDir Path dataDir;
  private FakeRegistry upstream;
  private TestNode node;
  private RegistryClient client;

  @BeforeEach
  void start() {
    upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    node = TestNode.start(dataDir, upstream.url());
    client = new RegistryClient(node.url());
  }

  @AfterEach
  void stop() {
    node.close();
    upstream.close();
  }

  @Test
  void base_answersWithApiVersion() {
    HttpResponse<byte[]> response = client.get("/v2/");
    assertEquals(200, response.statusCode());
    assertEquals("registry/2.0", response.headers().firstValue("Docker-Distribution-API-Version").orElseThrow());
  }

  @Test
  void pull_servesUpstreamBytesAndSecondPullIsLocal() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 1, 4096, 100_000);
    FakeImages.publish(upstream, "library/redis", "7", image);

    pullWholeImage("library/redis", "7", image);
    int upstreamBlobGets = upstream.count("GET", "/blobs/");
    assertEquals(image.blobs().size(), upstreamBlobGets, "each blob fetched once");

    upstream.resetCounts();
    pullWholeImage("library/redis", "7", image);
    assertEquals(0, upstream.count("GET", "/blobs/"), "second pull makes no upstream blob request");
    assertEquals(0, upstream.count("GET", "/manifests/"), "fresh tag is not fetched again");
  }

  @Test
  void manifest_hasExactHeaders() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 2, 1000);
    FakeImages.publish(upstream, "library/alpine", "3", image);

    HttpResponse<byte[]> response = client.get("/v2/library/alpine/manifests/3", "Accept", ALL_TYPES);

    assertEquals(200, response.statusCode());
    assertArrayEquals(image.manifest().bytes(), response.body());
    assertEquals(image.manifest().mediaType(), response.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(image.digest(), response.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals("\"" + image.digest() + "\"", response.headers().firstValue("Etag").orElseThrow());
    assertEquals(String.valueOf(image.manifest().bytes().length),
        response.headers().firstValue("Content-Length").orElseThrow());
  }

  @Test
  void head_answersLengthAndDigestWithoutBody() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 3, 5000);
    FakeImages.publish(upstream, "library/busybox", "latest", image);
    Blob layer = image.blobs().get(image.blobs().size() - 1);

    HttpResponse<byte[]> manifest = client.head("/v2/library/busybox/manifests/latest", "Accept", ALL_TYPES);
    HttpResponse<byte[]> blob = client.head("/v2/library/busybox/blobs/" + layer.digest());

    assertEquals(200, manifest.statusCode());
    assertEquals(0, manifest.body().length);
    assertEquals(image.digest(), manifest.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(String.valueOf(image.manifest().bytes().length),
        manifest.headers().firstValue("Content-Length").orElseThrow(() -> new AssertionError(manifest.headers().toString())));
    assertEquals(200, blob.statusCode());
    assertEquals(String.valueOf(layer.size()), blob.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(layer.digest(), blob.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  @Test
  void blob_rangeGivesPartialContent() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 4, 50_000);
    FakeImages.publish(upstream, "library/range", "1", image);
    Blob layer = image.blobs().get(image.blobs().size() - 1);
    String path = "/v2/library/range/blobs/" + layer.digest();
    client.get(path);

    HttpResponse<byte[]> partial = client.get(path, "Range", "bytes=10-99");
    HttpResponse<byte[]> beyond = client.get(path, "Range", "bytes=" + layer.size() + "-");

    assertEquals(206, partial.statusCode());
    assertEquals("bytes 10-99/" + layer.size(), partial.headers().firstValue("Content-Range").orElseThrow());
    assertArrayEquals(java.util.Arrays.copyOfRange(layer.bytes(), 10, 100), partial.body());
    assertEquals(416, beyond.statusCode());
    assertTrue(new String(beyond.body(), StandardCharsets.UTF_8).contains("RANGE_INVALID"));
  }

  @Test
  void manifest_shortNameIsDockerHubLibrary() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 5, 100);
    FakeImages.publish(upstream, "library/nginx", "1", image);

    HttpResponse<byte[]> response = client.get("/v2/nginx/manifests/1", "Accept", ALL_TYPES);

    assertEquals(200, response.statusCode());
    assertEquals(image.digest(), response.headers().firstValue("Docker-Content-Digest").orElseThrow());
  }

  @Test
  void manifest_indexForClientsThatAcceptIt_platformManifestForOthers() {
    Image image = TestImage.multiPlatform(ImageFormat.DOCKER, 6, 700);
    FakeImages.publish(upstream, "library/multi", "latest", image);

    HttpResponse<byte[]> index = client.get("/v2/library/multi/manifests/latest", "Accept", ALL_TYPES);
    HttpResponse<byte[]> single = client.get("/v2/library/multi/manifests/latest",
        "Accept", "application/vnd.docker.distribution.manifest.v2+json");

    assertEquals(200, index.statusCode());
    assertArrayEquals(image.manifest().bytes(), index.body());
    assertEquals(200, single.statusCode());
    String amd64 = image.platformManifests().get(0).manifest().digest();
    assertEquals(amd64, single.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(amd64, RegistryClient.digestOf(single.body()));
  }

  @Test
  void namespace_dockerIoServed_otherRegistryIsUnknown() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 7, 100);
    FakeImages.publish(upstream, "library/ns", "1", image);

    HttpResponse<byte[]> dockerIo = client.get("/v2/library/ns/manifests/1?ns=docker.io", "Accept", ALL_TYPES);
    HttpResponse<byte[]> ghcr = client.get("/v2/library/ns/manifests/1?ns=ghcr.io", "Accept", ALL_TYPES);

    assertEquals(200, dockerIo.statusCode());
    assertEquals(404, ghcr.statusCode());
    assertTrue(new String(ghcr.body(), StandardCharsets.UTF_8).contains("NAME_UNKNOWN"));
    assertEquals(0, upstream.count("GET", "ghcr"));
  }

  @Test
  void tagsAndCatalog_listUpstreamTagsAndCachedRepositories() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 8, 100);
    FakeImages.publish(upstream, "library/tagged", "a", image);
    FakeImages.publish(upstream, "library/tagged", "b", image);
    client.get("/v2/library/tagged/manifests/a", "Accept", ALL_TYPES);

    String tags = new String(client.get("/v2/library/tagged/tags/list").body(), StandardCharsets.UTF_8);
    String catalog = new String(client.get("/v2/_catalog").body(), StandardCharsets.UTF_8);

    assertTrue(tags.contains("\"a\"") && tags.contains("\"b\""), tags);
    assertEquals("{\"repositories\":[\"library/tagged\"]}", catalog);
  }

  @Test
  void layerDigestAskedAsManifest_isManifestUnknown_neverReadIntoMemory() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 10, 200_000);
    FakeImages.publish(upstream, "library/layered", "1", image);
    Blob layer = image.blobs().get(image.blobs().size() - 1);
    assertEquals(200, client.get("/v2/library/layered/blobs/" + layer.digest()).statusCode());

    HttpResponse<byte[]> response = client.get("/v2/library/layered/manifests/" + layer.digest(),
        "Accept", ALL_TYPES);

    assertEquals(404, response.statusCode());
    assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("MANIFEST_UNKNOWN"));
  }

  @Test
  void unknownTag_isManifestUnknown() {
    FakeImages.publish(upstream, "library/exists", "1", TestImage.singlePlatform(ImageFormat.OCI, 9, 10));

    HttpResponse<byte[]> response = client.get("/v2/library/exists/manifests/2", "Accept", ALL_TYPES);

    assertEquals(404, response.statusCode());
    assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("MANIFEST_UNKNOWN"));
  }

  @Test
  void unknownRepository_isDeniedLikeDockerHub() {
    // Docker Hub answers an anonymous pull of a repository that does not exist with a refused
    // token, which the mirror passes on as DENIED.
    HttpResponse<byte[]> response = client.get("/v2/library/nothing/manifests/latest", "Accept", ALL_TYPES);

    assertEquals(403, response.statusCode());
    assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("DENIED"));
  }

  private void pullWholeImage(String repo, String tag, Image image) {
    HttpResponse<byte[]> manifest = client.get("/v2/" + repo + "/manifests/" + tag, "Accept", ALL_TYPES);
    assertEquals(200, manifest.statusCode(), new String(manifest.body(), StandardCharsets.UTF_8));
    assertArrayEquals(image.manifest().bytes(), manifest.body());
    for (Blob blob : image.blobs()) {
      HttpResponse<byte[]> response = client.get("/v2/" + repo + "/blobs/" + blob.digest());
      assertEquals(200, response.statusCode());
      assertEquals(blob.digest(), RegistryClient.digestOf(response.body()));
    }
  }
}
