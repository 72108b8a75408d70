package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.BlobRot;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.PrometheusText;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rot (issue 10, finding 6): blob files damaged on disk after their commit are found by start-up
 * recovery, the background scrub or the lookup before serving; each is never served, is fetched
 * from upstream again exactly once, and is counted in {@code layercake_blob_corruptions_total}.
 */
class CorruptBlobIntegrationTest {

  private static final String REPO = "library/rot";
  private static final int SIZE = 300_000;
  private static final Map<String, Object> SCRUB_OFF = Map.of("layercake.storage.scrub.enabled", "off");

  @TempDir Path dataDir;

  private static byte[] random(int seed) {
    byte[] bytes = new byte[SIZE];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String blobPath(String digest) {
    return "/v2/" + REPO + "/blobs/" + digest;
  }

  private static void assertServedWhole(RegistryClient client, String digest) {
    HttpResponse<byte[]> response = client.get(blobPath(digest));
    assertEquals(200, response.statusCode(), digest);
    assertEquals(SIZE, response.body().length, digest + ": bytes served");
    assertEquals(digest, RegistryClient.digestOf(response.body()));
  }

  private static PrometheusText metrics(RegistryClient client) {
    return PrometheusText.parse(new String(client.get("/metrics").body(), StandardCharsets.UTF_8));
  }

  private static double corruptions(RegistryClient client, String foundBy) {
    return metrics(client).value("layercake_blob_corruptions_total", "found_by", foundBy);
  }

  @Test
  void truncatedBitFlippedAndSwappedFiles_neverServedRefetchedOnceAndCounted() {
    try (FakeRegistry upstream = FakeRegistry.start()) {
      String truncated = upstream.putBlob(REPO, random(1));
      String flipped = upstream.putBlob(REPO, random(2));
      String swapped = upstream.putBlob(REPO, random(3));
      String intact = upstream.putBlob(REPO, random(4));
      List<String> all = List.of(truncated, flipped, swapped, intact);
      try (TestNode node = TestNode.start(dataDir, upstream.url(), SCRUB_OFF)) {
        RegistryClient client = new RegistryClient(node.url());
        all.forEach(digest -> assertServedWhole(client, digest));
      }
      BlobRot.truncate(dataDir, truncated, 10_000);
      BlobRot.flipBit(dataDir, flipped, SIZE / 2);
      // Another blob's bytes under this name, of the same size: only the hash can tell.
      BlobRot.swap(dataDir, swapped, intact);
      upstream.resetCounts();

      try (TestNode node = TestNode.start(dataDir, upstream.url(), Map.of(
          "layercake.storage.scrub.start-delay", "0s", "layercake.storage.scrub.rate", "64MiB",
          "layercake.storage.scrub.interval", "1h"))) {
        RegistryClient client = new RegistryClient(node.url());
        // Recovery found the size at start-up; the scrub hashes the other two before any request.
        assertEquals(1.0, corruptions(client, "recovery"));
        Await.until(Duration.ofSeconds(30), "the scrub finds the bit flip and the swap",
            () -> corruptions(client, "scrub") == 2.0);
        assertEquals(3, BlobRot.quarantined(dataDir).size(), BlobRot.quarantined(dataDir).toString());
        assertEquals(List.of(), upstream.requests(), "nothing was requested yet");

        all.forEach(digest -> assertServedWhole(client, digest));
        all.forEach(digest -> assertServedWhole(client, digest));

        for (String digest : List.of(truncated, flipped, swapped)) {
          assertEquals(1, upstream.count("GET", "/blobs/" + digest), "upstream GETs of " + digest);
        }
        assertEquals(0, upstream.count("GET", "/blobs/" + intact), "upstream GETs of the intact blob");
        PrometheusText counted = metrics(client);
        assertEquals(1.0, counted.value("layercake_blob_corruptions_total", "found_by", "recovery"));
        assertEquals(2.0, counted.value("layercake_blob_corruptions_total", "found_by", "scrub"));
        assertEquals(0.0, counted.value("layercake_blob_corruptions_total", "found_by", "serve"));
      }
    }
  }

  @Test
  void truncatedLayerAndBitFlippedManifest_servedRightAfterOneRefetch() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 21, SIZE);
    String manifest = image.manifest().digest();
    Blob layer = image.blobs().stream().filter(blob -> blob.size() > SIZE).findFirst().orElseThrow();
    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, REPO, "1", image);
      try (TestNode node = TestNode.start(dataDir, upstream.url(), SCRUB_OFF)) {
        RegistryClient client = new RegistryClient(node.url());
        assertEquals(200, client.get("/v2/" + REPO + "/manifests/" + manifest).statusCode());
        assertEquals(200, client.get(blobPath(layer.digest())).statusCode());
      }
      upstream.resetCounts();
      try (TestNode node = TestNode.start(dataDir, upstream.url(), SCRUB_OFF)) {
        RegistryClient client = new RegistryClient(node.url());
        // What the issue reproduced: a layer cut to 10,000 bytes was served with 200 and
        // Content-Length: 10000 under its digest.
        BlobRot.truncate(dataDir, layer.digest(), 10_000);
        BlobRot.flipBit(dataDir, manifest, 1);

        HttpResponse<byte[]> blob = client.get(blobPath(layer.digest()));
        assertEquals(200, blob.statusCode());
        assertFalse(blob.headers().firstValue("Content-Length").orElse("").equals("10000"));
        assertArrayEquals(layer.bytes(), blob.body());
        HttpResponse<byte[]> served = client.get("/v2/" + REPO + "/manifests/" + manifest);
        assertEquals(200, served.statusCode());
        assertArrayEquals(image.manifest().bytes(), served.body());

        assertEquals(1, upstream.count("GET", "/blobs/" + layer.digest()), "upstream GETs of the layer");
        assertEquals(1, upstream.count("GET", "/manifests/" + manifest), "upstream GETs of the manifest");
        assertEquals(2.0, corruptions(client, "serve"));
        assertTrue(BlobRot.quarantined(dataDir).stream().allMatch(name -> name.contains(".serve.")),
            BlobRot.quarantined(dataDir).toString());
      }
    }
  }
}
