package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tags: one upstream call per burst, revalidation by HEAD, and a moved tag followed. */
class TagRevalidationIntegrationTest {

  private static final String ACCEPT = "application/vnd.oci.image.index.v1+json, "
      + "application/vnd.oci.image.manifest.v1+json, "
      + "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json";

  @TempDir Path dataDir;

  @Test
  void expiredTag_revalidatedWithHead_movedTagFetchedOnce() {
    Image first = TestImage.singlePlatform(ImageFormat.OCI, 31, 100);
    Image second = TestImage.singlePlatform(ImageFormat.OCI, 32, 100);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.manifests.tag-ttl", "0s"))) {
      RegistryClient client = new RegistryClient(node.url());
      FakeImages.publish(upstream, "library/moving", "latest", first);
      assertArrayEquals(first.manifest().bytes(), get(client).body());
      assertEquals(1, upstream.count("GET", "/manifests/latest"));

      assertArrayEquals(first.manifest().bytes(), get(client).body());
      assertEquals(1, upstream.count("GET", "/manifests/latest"), "an unchanged tag is not fetched again");
      assertEquals(1, upstream.count("HEAD", "/manifests/latest"), "it is revalidated with one HEAD");

      FakeImages.publish(upstream, "library/moving", "latest", second);
      HttpResponse<byte[]> moved = get(client);
      assertArrayEquals(second.manifest().bytes(), moved.body());
      assertEquals(second.digest(), moved.headers().firstValue("Docker-Content-Digest").orElseThrow());
      assertEquals(2, upstream.count("GET", "/manifests/latest"));
    }
  }

  @Test
  void burstOfPullsOfColdTag_oneUpstreamGet() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 33, 100);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url())) {
      FakeImages.publish(upstream, "library/burst", "1", image);
      RegistryClient client = new RegistryClient(node.url());
      List<CompletableFuture<HttpResponse<byte[]>>> pulls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        pulls.add(CompletableFuture.supplyAsync(() ->
            client.get("/v2/library/burst/manifests/1", "Accept", ACCEPT)));
      }
      for (CompletableFuture<HttpResponse<byte[]>> pull : pulls) {
        assertArrayEquals(image.manifest().bytes(), pull.join().body());
      }
      assertEquals(1, upstream.count("GET", "/manifests/1"));
    }
  }

  private static HttpResponse<byte[]> get(RegistryClient client) {
    HttpResponse<byte[]> response = client.get("/v2/library/moving/manifests/latest", "Accept", ACCEPT);
    assertEquals(200, response.statusCode());
    return response;
  }
}
