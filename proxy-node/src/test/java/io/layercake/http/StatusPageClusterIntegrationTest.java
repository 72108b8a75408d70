package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The status page of one node of a cluster lists every node, with what each stores. */
class StatusPageClusterIntegrationTest {

  @TempDir Path dataRoot;

  @Test
  void statusPage_twoNodes_listsBothWithTheirStorage() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestCluster cluster = TestCluster.start(2, dataRoot, upstream.url(), Map.of())) {
      Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 12, 100_000, 200_000, 300_000);
      FakeImages.publish(upstream, "library/spread", "1", image);
      RegistryClient client = new RegistryClient(cluster.node(0).url());
      for (Blob blob : image.blobs()) {
        assertEquals(200, client.get("/v2/library/spread/blobs/" + blob.digest()).statusCode());
      }

      HttpResponse<byte[]> response = client.get("/");
      String html = new String(response.body(), StandardCharsets.UTF_8);

      assertEquals(200, response.statusCode());
      for (TestNode node : cluster.nodes()) {
        assertTrue(html.contains("<td>" + node.url() + "</td>"), node.url() + " in " + html);
      }
      assertEquals(1, html.split("\\(this node\\)", -1).length - 1, "exactly one row is this node");
      assertFalse(html.contains(">unknown<"), "every node reported its storage: " + html);
      assertFalse(html.contains(TestCluster.SECRET));
    }
  }
}
