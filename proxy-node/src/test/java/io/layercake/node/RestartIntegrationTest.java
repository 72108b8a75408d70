package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node cached survives a restart, and is served stale while upstream is down. */
class RestartIntegrationTest {

  private static final String ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, "
      + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

  @TempDir Path dataDir;

  @Test
  void restart_servesCachedImageWithoutUpstream() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 11, 2048, 300_000);
    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, "library/kept", "1", image);
      try (TestNode node = TestNode.start(dataDir, upstream.url())) {
        pull(new RegistryClient(node.url()), "library/kept", "1", image, false);
      }
      upstream.resetCounts();
      try (TestNode node = TestNode.start(dataDir, upstream.url())) {
        pull(new RegistryClient(node.url()), "library/kept", "1", image, false);
      }
      assertEquals(0, upstream.count("GET", "/blobs/"), "blob requests after restart");
      assertEquals(0, upstream.count("GET", "/manifests/"), "manifest requests after restart");
    }
  }

  @Test
  void upstreamDown_cachedTagServedStaleWithWarning() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 12, 4096);
    FakeRegistry upstream = FakeRegistry.start();
    FakeImages.publish(upstream, "library/stale", "v1", image);
    // A zero TTL asks upstream on every pull, so the outage is noticed at once.
    try (TestNode node = TestNode.start(dataDir, upstream.url(), Map.of(
        "layercake.manifests.tag-ttl", "0s", "layercake.upstream-client.max-attempts", 1))) {
      RegistryClient client = new RegistryClient(node.url());
      pull(client, "library/stale", "v1", image, false);
      upstream.close();

      pull(client, "library/stale", "v1", image, true);
    }
  }

  @Test
  void upstreamHangs_cachedTagServedStaleBeforeTheClientTimesOut() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 13, 4096);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of(
            "layercake.manifests.tag-ttl", "0s", "layercake.manifests.revalidate-timeout", "1s"))) {
      FakeImages.publish(upstream, "library/hang", "v1", image);
      RegistryClient client = new RegistryClient(node.url());
      pull(client, "library/hang", "v1", image, false);
      // Upstream accepts the connection but answers nothing for longer than any timeout here.
      upstream.inject(Fault.latency(java.time.Duration.ofSeconds(30)), "/manifests/", FakeRegistry.FOREVER);

      long start = System.nanoTime();
      pull(client, "library/hang", "v1", image, true);
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 10_000, "stale answer took " + millis + " ms");
      upstream.clearFaults();
    }
  }

  private static void pull(RegistryClient client, String repo, String tag, Image image, boolean stale) {
    HttpResponse<byte[]> manifest = client.get("/v2/" + repo + "/manifests/" + tag, "Accept", ACCEPT);
    assertEquals(200, manifest.statusCode());
    assertArrayEquals(image.manifest().bytes(), manifest.body());
    assertEquals(stale, manifest.headers().firstValue("Warning").isPresent(),
        "Warning header: " + manifest.headers().firstValue("Warning"));
    if (stale) {
      assertTrue(manifest.headers().firstValue("Warning").orElseThrow().startsWith("110 "));
    }
    for (Blob blob : image.blobs()) {
      HttpResponse<byte[]> response = client.get("/v2/" + repo + "/blobs/" + blob.digest());
      assertEquals(200, response.statusCode());
      assertEquals(blob.digest(), RegistryClient.digestOf(response.body()));
    }
  }
}
