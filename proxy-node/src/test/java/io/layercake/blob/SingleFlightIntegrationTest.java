package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** N concurrent requests for one cold blob: one upstream GET, and every client streams at once. */
class SingleFlightIntegrationTest {

  private static final int CLIENTS = 16;
  private static final long SIZE = 100L << 20;

  @TempDir Path dataDir;
  @TempDir Path upstreamDir;

  @Test
  void coldBlob_sixteenClients_oneUpstreamGetAndAllStreamBeforeFillEnds() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(upstreamDir.resolve("blob"), SIZE, 42,
        "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url())) {
      upstream.putBlobFile("library/big", blob.digest(), blob.file());
      // 50 MB/s, like a fast link to Docker Hub: the fill takes about two seconds.
      upstream.inject(Fault.throttle(50L << 20), "/blobs/", FakeRegistry.FOREVER);
      RegistryClient client = new RegistryClient(node.url());
      String path = "/v2/library/big/blobs/" + blob.digest();

      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<RegistryClient.StreamedBody>> results = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Callable<RegistryClient.StreamedBody> pull = () -> client.stream(path, upstream::bodyBytesSent);
        results.add(pool.submit(pull));
      }
      long latestFirstByte = 0;
      for (Future<RegistryClient.StreamedBody> result : results) {
        RegistryClient.StreamedBody body = result.get();
        latestFirstByte = Math.max(latestFirstByte, body.probeAtFirstByte());
        assertNull(body.failure());
        assertEquals(200, body.status());
        assertEquals(SIZE, body.bytes());
        assertEquals(blob.digest(), body.digest());
        assertTrue(body.probeAtFirstByte() < SIZE,
            "first byte reached the client after upstream had sent " + body.probeAtFirstByte()
                + " of " + SIZE + " bytes: it waited for the fill");
      }
      pool.shutdown();
      assertEquals(1, upstream.count("GET", "/blobs/" + blob.digest()), "upstream GETs");
      System.out.printf("single flight: %d clients, 1 upstream GET; the last client's first byte came"
          + " when upstream had sent %d of %d bytes%n", CLIENTS, latestFirstByte, SIZE);
    }
  }

  @Test
  void firstClientDisconnects_fillStillCompletes() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(upstreamDir.resolve("blob"), 20L << 20, 43,
        "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url())) {
      upstream.putBlobFile("library/left", blob.digest(), blob.file());
      upstream.inject(Fault.throttle(10L << 20), "/blobs/", 1);
      String path = "/v2/library/left/blobs/" + blob.digest();
      java.net.HttpURLConnection connection = (java.net.HttpURLConnection)
          java.net.URI.create(node.url() + path).toURL().openConnection();
      try (java.io.InputStream in = connection.getInputStream()) {
        assertTrue(in.read(new byte[1024]) > 0);
      }
      connection.disconnect();

      io.layercake.testkit.Await.until(java.time.Duration.ofSeconds(30), "fill committed",
          () -> node.node().store().find(io.layercake.oci.Digest.parse(blob.digest())).isPresent());
      RegistryClient.StreamedBody warm = new RegistryClient(node.url()).stream(path);
      assertEquals(blob.digest(), warm.digest());
      assertEquals(1, upstream.count("GET", "/blobs/"), "the abandoned fill was finished, not refetched");
    }
  }
}
