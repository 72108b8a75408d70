package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.cli.LayercakeCli;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * save and load stream: an image whose layer is three times the heap goes out of one node with a
 * 128 MB heap as a tar, and into another one with the same heap, which then serves it.
 */
class SaveLoadMemoryIntegrationTest {

  private static final long LAYER_SIZE = 384L << 20;
  private static final String TOKEN = "memory-token";

  @TempDir Path work;

  @Test
  void layerThreeTimesTheHeap_savedAndLoadedThrough128MbNodes() throws Exception {
    Image image = TestImage.builder(ImageFormat.DOCKER, 701).largeLayer(LAYER_SIZE, work.resolve("layers")).build();
    LargeBlob layer = image.largeBlobs().get(0);
    Path archive = work.resolve("big.tar");
    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, "library/big", "1", image);
      try (NodeProcess source = node(work.resolve("source"), upstream.url())) {
        LayercakeCli.Output saved = LayercakeCli.run(env(source), "save", "big:1", "-o", archive.toString());
        assertEquals(0, saved.status(), saved.err() + source.logText());
        assertTrue(source.isAlive(), "node died:\n" + source.logText());
      }
    }
    assertTrue(Files.size(archive) > LAYER_SIZE);

    try (NodeProcess target = node(work.resolve("target"), "http://127.0.0.1:" + FreePorts.next())) {
      LayercakeCli.Output loaded = LayercakeCli.run(env(target), "load", "-i", archive.toString());
      assertEquals(0, loaded.status(), loaded.err() + target.logText());

      RegistryClient.StreamedBody pulled = new RegistryClient(target.url())
          .stream("/v2/library/big/blobs/" + layer.digest());
      assertNull(pulled.failure(), target.logText());
      assertEquals(layer.digest(), pulled.digest());
      assertTrue(target.isAlive(), "node died:\n" + target.logText());
    }
  }

  private static NodeProcess node(Path data, String upstream) throws Exception {
    return NodeProcess.builder(data, upstream)
        .jvmOption("-Xmx128m")
        .jvmOption("-XX:+ExitOnOutOfMemoryError")
        .property("layercake.admin.token", TOKEN)
        .start();
  }

  private static Map<String, String> env(NodeProcess node) {
    return Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", node.url());
  }
}
