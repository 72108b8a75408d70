package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.PrometheusText;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.RequiredClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.Tmpfs;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Issue 10, acceptance 1: a node whose data volume (a 64 MiB tmpfs) is filled to the last byte.
 * Cached hits stay 200; a cold pull streams through from upstream, uncached, with the right
 * digests, and its new tag is answered at once; once the filler is gone, the next cold pull is
 * cached again. No restart, and not one 500. Needs root to mount the tmpfs (CI runs as root).
 */
class FullDiskIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(FullDiskIntegrationTest.class);
  private static final int DISK_MIB = 64;

  @TempDir Path work;

  @Test
  void fullDisk_hitsServed_coldPullStreamedUncached_cachingResumesWhenSpaceReturns() throws Exception {
    RequiredClient.check("root, to mount a tmpfs", Tmpfs.isPossible());
    Image cached = TestImage.singlePlatform(ImageFormat.OCI, 81, 1_500_000, 1_500_000);
    Image cold = TestImage.singlePlatform(ImageFormat.OCI, 82, 1_500_000, 1_500_000);
    Image later = TestImage.singlePlatform(ImageFormat.OCI, 83, 1_500_000, 1_500_000);
    Map<Integer, Integer> statuses = new TreeMap<>();
    try (Tmpfs disk = Tmpfs.mount(work.resolve("disk"), DISK_MIB);
        FakeRegistry upstream = FakeRegistry.start()) {
      Path data = disk.path().resolve("data");
      FakeImages.publish(upstream, "library/cached", "1", cached);
      FakeImages.publish(upstream, "library/cold", "1", cold);
      FakeImages.publish(upstream, "library/later", "1", later);
      try (NodeProcess node = NodeProcess.start(data, upstream.url(), "-Xmx256m",
          "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")))) {
        RegistryClient client = new RegistryClient(node.url());
        pull(client, "library/cached", cached, statuses);
        Await.until(Duration.ofSeconds(10), "the first image stored",
            () -> StoredBlobs.committed(data).containsAll(cached.blobDigests()));

        long filler = disk.fill(disk.path().resolve("filler"));
        log.info("full disk: {} MiB of filler; {} bytes free", filler >> 20, Files.getFileStore(data).getUsableSpace());
        assertEquals(0, Files.getFileStore(data).getUsableSpace(), "the disk is full");

        for (int round = 0; round < 20; round++) {
          pull(client, "library/cached", cached, statuses);
        }
        long coldStarted = System.nanoTime();
        pull(client, "library/cold", cold, statuses);
        Duration coldPull = Duration.ofNanos(System.nanoTime() - coldStarted);
        assertTrue(coldPull.compareTo(Duration.ofSeconds(10)) < 0, "the cold pull took " + coldPull);
        assertTrue(StoredBlobs.committed(data).stream().noneMatch(cold.blobDigests()::contains),
            "a blob was stored on a full disk");
        PrometheusText metrics = PrometheusText.parse(text(client.get("/metrics")));
        assertTrue(metrics.value("layercake_uncached_total", "kind", "blob") >= cold.blobs().size(),
            "blobs streamed uncached: " + metrics.value("layercake_uncached_total", "kind", "blob"));

        Files.delete(disk.path().resolve("filler"));
        // The space check is current within a fifth of a second, RocksDB resumes writing on its own
        // within seconds: pull until the new image is stored, every answer a 200 meanwhile.
        Await.until(Duration.ofSeconds(60), "caching resumed", () -> {
          pull(client, "library/later", later, statuses);
          return StoredBlobs.committed(data).containsAll(later.blobDigests());
        });
        assertTrue(node.isAlive(), "the node restarted or died");
        assertFalse(node.logText().contains(" ERROR "), node.logText());
      }
    }
    log.info("full disk: answers by status {}", statuses);
    assertEquals(List.of(200), new ArrayList<>(statuses.keySet()), "answers by status: " + statuses);
  }

  /** A pull as a client makes it: the manifest by tag, then every blob, each checked. */
  private static void pull(RegistryClient client, String repository, Image image, Map<Integer, Integer> statuses) {
    HttpResponse<byte[]> manifest = client.get("/v2/" + repository + "/manifests/1", "Accept",
        MirrorClient.MANIFEST_ACCEPT);
    statuses.merge(manifest.statusCode(), 1, Integer::sum);
    assertEquals(200, manifest.statusCode(), repository + ": " + text(manifest));
    assertArrayEquals(image.manifest().bytes(), manifest.body(), repository + ": manifest bytes");
    for (Blob blob : image.blobs()) {
      HttpResponse<byte[]> got = client.get("/v2/" + repository + "/blobs/" + blob.digest());
      statuses.merge(got.statusCode(), 1, Integer::sum);
      assertEquals(200, got.statusCode(), blob.digest() + ": " + text(got));
      assertEquals(blob.digest(), RegistryClient.digestOf(got.body()));
    }
  }

  private static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
