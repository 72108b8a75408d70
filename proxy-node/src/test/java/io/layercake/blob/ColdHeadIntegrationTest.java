package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.testkit.Await;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.Sha256;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestCluster;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 3, acceptance: "50 HEADs of 50 cold 100 MB blobs: 0 bytes fetched from
 * upstream beyond headers", through a cluster of two, so that half the HEADs reach a node that
 * does not own the blob. A HEAD of a blob being filled or cached is answered without upstream.
 *
 * <p>The 50 blobs share one 100 MB file: one has its true digest, the other 49 are published
 * under made-up digests with the same announced size. A HEAD never reads the bytes, so they need
 * not match; had anything started a fill, the upstream would have sent the body and the byte count
 * would show it. The one real blob is then pulled with a GET, which must fetch it exactly once.
 */
class ColdHeadIntegrationTest {

  private static final int BLOBS = 50;
  private static final long SIZE = 100L << 20;
  private static final String REPOSITORY = "library/heads";

  @TempDir Path dataRoot;
  @TempDir Path upstreamDir;

  @Test
  void fiftyHeadsOfFiftyColdHundredMegabyteBlobs_fetchNoBodyBytesFromUpstream() throws Exception {
    LargeBlob real = LargeBlob.writeRandom(upstreamDir.resolve("blob"), SIZE, 50, "application/octet-stream");
    List<String> digests = new ArrayList<>(List.of(real.digest()));
    for (int i = 1; i < BLOBS; i++) {
      digests.add(Sha256.digest(("made-up blob " + i).getBytes(StandardCharsets.US_ASCII)));
    }
    ExecutorService clients = Executors.newFixedThreadPool(10);
    try (FakeRegistry upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
        TestCluster cluster = TestCluster.start(2, dataRoot, upstream.url(), Map.of())) {
      digests.forEach(digest -> upstream.putBlobFile(REPOSITORY, digest, real.file()));
      // 25 MB/s: a fill, if anything started one, would still be sending when the HEADs are done.
      upstream.inject(Fault.throttle(25L << 20), "/blobs/", FakeRegistry.FOREVER);

      List<Future<HttpResponse<byte[]>>> heads = new ArrayList<>();
      for (int i = 0; i < BLOBS; i++) {
        RegistryClient client = new RegistryClient(cluster.node(i % 2).url());
        String path = "/v2/" + REPOSITORY + "/blobs/" + digests.get(i);
        heads.add(clients.submit(() -> client.head(path)));
      }
      for (int i = 0; i < BLOBS; i++) {
        HttpResponse<byte[]> head = heads.get(i).get();
        assertEquals(200, head.statusCode(), digests.get(i));
        assertEquals(String.valueOf(SIZE), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals(digests.get(i), head.headers().firstValue("Docker-Content-Digest").orElseThrow());
      }

      long bodyBytes = upstream.bodyBytesSent();
      System.out.printf("cold HEADs: %d HEADs of %d cold %d MB blobs through 2 nodes: %d body bytes from"
          + " upstream, %d upstream blob GETs, %d upstream blob HEADs%n", BLOBS, BLOBS, SIZE >> 20, bodyBytes,
          upstream.count("GET", "/blobs/"), authorizedBlobHeads(upstream, ""));
      assertEquals(0, bodyBytes, "body bytes fetched from upstream");
      assertEquals(0, upstream.count("GET", "/blobs/"), "upstream blob GETs");
      assertEquals(BLOBS, authorizedBlobHeads(upstream, ""), "one upstream HEAD per blob (and 401s before tokens)");
      for (int i = 0; i < 2; i++) {
        assertEquals(Set.of(), StoredBlobs.filling(cluster.node(i).dataDir()), "fills on node " + i);
        assertEquals(Set.of(), StoredBlobs.committed(cluster.node(i).dataDir()), "blobs on node " + i);
      }

      // A GET starts the fill; HEADs of the blob being filled, through either node, ask nobody.
      String realPath = "/v2/" + REPOSITORY + "/blobs/" + real.digest();
      assertEquals(200, new RegistryClient(cluster.node(1).url()).getAndHangUp(realPath));
      for (int i = 0; i < 2; i++) {
        HttpResponse<byte[]> head = new RegistryClient(cluster.node(i).url()).head(realPath);
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(SIZE), head.headers().firstValue("Content-Length").orElseThrow());
      }
      Await.until(Duration.ofSeconds(60), "the fill committed", () -> StoredBlobs.committed(
          cluster.node(0).dataDir()).contains(real.digest())
          || StoredBlobs.committed(cluster.node(1).dataDir()).contains(real.digest()));
      for (int i = 0; i < 2; i++) {
        assertEquals(200, new RegistryClient(cluster.node(i).url()).head(realPath).statusCode());
      }
      assertEquals(1, authorizedBlobHeads(upstream, real.digest()), "HEADs of a filling or cached blob");
      assertEquals(1, upstream.count("GET", "/blobs/" + real.digest()), "one fill");
      assertEquals(SIZE, upstream.bodyBytesSent(), "the GET fetched the blob once");
    } finally {
      clients.shutdownNow();
    }
  }

  /** Blob HEADs that upstream answered with a token (the first of each node's is a 401 without). */
  private static long authorizedBlobHeads(FakeRegistry upstream, String digest) {
    return upstream.requests().stream()
        .filter(r -> r.method().equals("HEAD") && r.path().contains("/blobs/" + digest) && r.hasAuthorization())
        .count();
  }

}
