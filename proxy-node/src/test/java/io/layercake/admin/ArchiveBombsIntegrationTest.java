package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.Sha256;
import io.layercake.testkit.TestImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 4, accepted on a real node with a 256 MB heap (the default of ./layercake),
 * which exits on an OutOfMemoryError: each archive bomb answers 4xx within 10 s, leaves nothing in
 * tmp/, and the node then loads and serves an image and fills a cold pull as usual.
 *
 * <p>The node's upload idle timeout is 2 s, so that the stalled body is answered well within the
 * 10 s; the other limits are the defaults. Each bomb's time to its answer is printed for the record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ArchiveBombsIntegrationTest {

  private static final String TOKEN = "bomb-token";
  private static final String OCI_ACCEPT = "application/vnd.oci.image.manifest.v1+json";
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(10);
  private static final int MiB = 1 << 20;

  @TempDir static Path work;
  private FakeRegistry upstream;
  private NodeProcess node;

  @BeforeAll
  void start() throws IOException {
    upstream = FakeRegistry.start();
    node = NodeProcess.builder(work.resolve("node"), upstream.url())
        .jvmOption("-Xmx256m")
        .jvmOption("-XX:+ExitOnOutOfMemoryError")
        .property("layercake.admin.token", TOKEN)
        .property("layercake.admin.images.upload-idle-timeout", "2s")
        .start();
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  @Order(1)
  void load_24JsonMembersOf15MiB_4xxWithin10sThenServes() throws Exception {
    RawUpload.Answer answer = RawUpload.post(node.httpPort(), "/admin/load", TOKEN,
        ArchiveBombs.jsonBombLength(24, 15 * MiB), out -> ArchiveBombs.writeJsonBomb(out, 24, 15 * MiB),
        ANSWER_WITHIN.plusSeconds(20));

    assertRefusedInTime("json size", answer, "layercake.admin.images.max-load-memory");
    assertServesNormally(1);
  }

  @Test
  @Order(2)
  void load_indexesFortyDeep_4xxWithin10sThenServes() throws Exception {
    byte[] archive = ArchiveBombs.nestedIndexes(40, "deep:1");
    System.out.println("index depth 40 archive: " + archive.length + " bytes");

    RawUpload.Answer answer = RawUpload.post(node.httpPort(), "/admin/load", TOKEN, archive.length,
        out -> out.write(archive), ANSWER_WITHIN.plusSeconds(20));

    assertRefusedInTime("index depth 40", answer, "layercake.admin.images.max-index-depth");
    assertServesNormally(2);
  }

  @Test
  @Order(3)
  void load_declared1GiBBodyStallingAfter4KiB_4xxWithin10sThenServes() throws Exception {
    byte[] prefix = ArchiveBombs.stalledPrefix(900L * MiB, 4096);
    CountDownLatch never = new CountDownLatch(1);

    RawUpload.Answer answer = RawUpload.post(node.httpPort(), "/admin/load", TOKEN, 1L << 30, out -> {
      out.write(prefix);
      out.flush();
      never.await();
    }, ANSWER_WITHIN.plusSeconds(20));

    assertRefusedInTime("stalled body", answer, "layercake.admin.images.upload-idle-timeout");
    assertServesNormally(3);
  }

  private void assertRefusedInTime(String bomb, RawUpload.Answer answer, String namedKey) throws IOException {
    System.out.printf("%s: %d in %d ms: %s%n", bomb, answer.status(), answer.elapsed().toMillis(), answer.body());
    assertTrue(answer.status() >= 400 && answer.status() < 500, bomb + ": " + answer.status() + " " + answer.body());
    assertTrue(answer.elapsed().compareTo(ANSWER_WITHIN) < 0, bomb + " answered after " + answer.elapsed());
    assertTrue(answer.body().contains(namedKey), answer.body());
    assertTrue(node.isAlive(), "node died:\n" + node.logText());
    assertEquals(List.of(), tmpFiles(), "everything staged is gone");
    assertFalse(node.logText().contains("OutOfMemoryError"), node.logText());
  }

  /** A normal load that is then pulled, and a cold pull through the cache, both whole. */
  private void assertServesNormally(int round) throws Exception {
    DockerSaveArchive image = new DockerSaveArchive(900 + round, 2, "after" + round + ":1");
    byte[] archive = image.ociLayout();
    RawUpload.Answer loaded = RawUpload.post(node.httpPort(), "/admin/load", TOKEN, archive.length,
        out -> out.write(archive), ANSWER_WITHIN);
    assertEquals(200, loaded.status(), loaded.body());

    RegistryClient client = new RegistryClient(node.url());
    byte[] manifest = client.get("/v2/library/after" + round + "/manifests/1", "Accept", OCI_ACCEPT).body();
    assertArrayEquals(image.manifest(), manifest);
    for (byte[] layer : image.layers) {
      assertArrayEquals(layer, client.get("/v2/library/after" + round + "/blobs/" + Sha256.digest(layer)).body());
    }

    Image cold = TestImage.singlePlatform(ImageFormat.OCI, 950 + round, 3000, 200_000);
    FakeImages.publish(upstream, "library/cold" + round, "1", cold);
    assertArrayEquals(cold.manifest().bytes(),
        client.get("/v2/library/cold" + round + "/manifests/1", "Accept", OCI_ACCEPT).body());
    for (String digest : cold.blobDigests()) {
      RegistryClient.StreamedBody blob = client.stream("/v2/library/cold" + round + "/blobs/" + digest);
      assertEquals(200, blob.status());
      assertEquals(digest, blob.digest());
    }
  }

  private List<Path> tmpFiles() throws IOException {
    try (Stream<Path> files = Files.list(node.dataDir().resolve("tmp"))) {
      return files.toList();
    }
  }
}
