package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.RegistryClient;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streaming never holds a blob in memory: a 1 GB blob passes through a node with a 128 MB heap. */
class MemoryIntegrationTest {

  private static final long SIZE = 1L << 30;

  @TempDir Path work;

  @Test
  void oneGigabyteBlob_throughNodeWith128MbHeap_coldThenWarm() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(work.resolve("upstream-blob"), SIZE, 1, "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start()) {
      upstream.putBlobFile("library/huge", blob.digest(), blob.file());
      try (NodeProcess node = NodeProcess.start(work.resolve("data"), upstream.url(),
          "-Xmx128m", "-XX:+ExitOnOutOfMemoryError")) {
        RegistryClient client = new RegistryClient(node.url());
        String path = "/v2/library/huge/blobs/" + blob.digest();

        RegistryClient.StreamedBody cold = client.stream(path);
        RegistryClient.StreamedBody warm = client.stream(path);

        assertNull(cold.failure(), node.logText());
        assertEquals(blob.digest(), cold.digest());
        assertNull(warm.failure(), node.logText());
        assertEquals(blob.digest(), warm.digest());
        assertTrue(node.isAlive(), "node died:\n" + node.logText());
        assertEquals(1, upstream.count("GET", "/blobs/"));
      }
    }
  }
}
