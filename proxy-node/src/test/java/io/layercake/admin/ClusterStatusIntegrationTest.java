package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.ClusterReport;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node reports its own storage from its own counters. It used to ask its own internal endpoint
 * over HTTP: a single node without a cluster secret was refused, logged a warning for every view
 * of the status page, and reported 0 blobs.
 */
class ClusterStatusIntegrationTest {

  private static final String TOKEN = "status-token";

  @TempDir Path dataDir;

  @Test
  void report_singleNodeWithoutSecret_countsItsOwnBlobs() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 71, 40_000, 60_000);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.admin.token", TOKEN))) {
      FakeImages.publish(upstream, "library/status", "1", image);
      RegistryClient client = new RegistryClient(node.url());
      long bytes = 0;
      for (var blob : image.blobs()) {
        assertEquals(200, client.get("/v2/library/status/blobs/" + blob.digest()).statusCode());
        bytes += blob.bytes().length;
      }
      long stored = bytes;
      io.layercake.testkit.Await.until(java.time.Duration.ofSeconds(10), "the blobs committed",
          () -> node.node().store().usedBytes() >= stored);

      ClusterReport report = ClusterReport.fetch(node.url(), TOKEN);
      assertEquals(1, report.members().size(), report.json());
      assertEquals(node.node().store().usedBytes(), report.members().get(0).blobBytes(), report.json());
      assertEquals(report.self(), report.coordinator(), "a single node is its own coordinator: " + report.json());
      assertTrue(report.members().get(0).reachable(), report.json());
    }
  }
}
