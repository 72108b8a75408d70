package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.persistence.JournalEvents;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.testkit.Await;
import io.layercake.testkit.DatabaseKeys;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.LiveEntities;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a blob's entity lives (issue 10, finding 2): a lookup that fails stops it at once and
 * leaves nothing in the journal; a fill keeps it; idleness ends it; a HEAD never starts a fill.
 */
class BlobEntityLifecycleIntegrationTest {

  private static final String REPOSITORY = "library/lifecycle";

  @TempDir Path dataDir;
  @TempDir Path upstreamDir;

  private static String randomDigest(Random random) {
    byte[] hash = new byte[32];
    random.nextBytes(hash);
    return "sha256:" + HexFormat.of().formatHex(hash);
  }

  @Test
  void fetchBlob_unknownToUpstream_entityStopsAtOnceAndJournalsNothing() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.blobs.idle-timeout", "10m"))) {
      RegistryClient client = new RegistryClient(node.url());
      Random random = new Random(1);
      List<String> digests = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String digest = randomDigest(random);
        digests.add(digest);
        assertEquals(404, client.get("/v2/" + REPOSITORY + "/blobs/" + digest).statusCode());
      }

      // Far sooner than the idle timeout: the failed lookups stopped their entities.
      Await.until(Duration.ofSeconds(10), "no blob entity alive",
          () -> LiveEntities.of(node.node().system(), BlobEntity.ENTITY_KEY).isEmpty());
      JournalEvents journal = new JournalEvents(node.node().system());
      for (String digest : digests) {
        assertEquals(List.of(), journal.read("Blob|" + digest), digest);
      }
      Map<NodeDatabase.Family, Long> keys = DatabaseKeys.count(NodeDatabaseExtension.get(node.node().system()));
      assertEquals(0L, keys.get(NodeDatabase.Family.JOURNAL), keys.toString());
      assertEquals(0L, keys.get(NodeDatabase.Family.SNAPSHOTS), keys.toString());
      assertEquals(0L, keys.get(NodeDatabase.Family.BLOBS), keys.toString());
    }
  }

  @Test
  void unknownDigestAskedAgain_answeredFromTheNegativeCache_upstreamAskedOnce() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url())) {
      RegistryClient client = new RegistryClient(node.url());
      String digest = randomDigest(new Random(2));
      String path = "/v2/" + REPOSITORY + "/blobs/" + digest;

      for (int i = 0; i < 3; i++) {
        assertEquals(404, client.get(path).statusCode());
        assertEquals(404, client.head(path).statusCode());
      }
      assertEquals(1, upstream.count("GET", "/blobs/" + digest) + upstream.count("HEAD", "/blobs/" + digest),
          "upstream asked once: " + upstream.requests());
    }
  }

  @Test
  void fillInProgress_keepsItsEntityPastTheIdleTimeout_idlenessEndsItAfterTheCommit() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(upstreamDir.resolve("blob"), 12L << 20, 3, "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.blobs.idle-timeout", "1s"))) {
      upstream.putBlobFile(REPOSITORY, blob.digest(), blob.file());
      // 3 MB/s: the fill takes about four seconds, longer than the idle timeout.
      upstream.inject(Fault.throttle(3L << 20), "/blobs/", 1);
      RegistryClient client = new RegistryClient(node.url());
      assertEquals(200, client.getAndHangUp("/v2/" + REPOSITORY + "/blobs/" + blob.digest()));

      Await.until(Duration.ofSeconds(10), "the fill past the idle timeout",
          () -> upstream.bodyBytesSent() > 6L << 20);
      assertEquals(Set.of(blob.digest()), LiveEntities.of(node.node().system(), BlobEntity.ENTITY_KEY),
          "an entity whose fill runs is not idle");
      Await.until(Duration.ofSeconds(30), "the fill committed",
          () -> StoredBlobs.committed(dataDir).contains(blob.digest()));
      Await.until(Duration.ofSeconds(10), "the entity passivated after the commit",
          () -> LiveEntities.of(node.node().system(), BlobEntity.ENTITY_KEY).isEmpty());
      List<JournalEvents.JournalEvent> history = new JournalEvents(node.node().system()).read("Blob|" + blob.digest());
      assertEquals(1, history.size(), "BlobStored journaled before it stopped: " + history);
      assertTrue(history.get(0).payload() instanceof BlobEntity.BlobStored);
    }
  }

  @Test
  void headOfColdBlob_asksUpstreamWithHead_startsNoFill_entityStops() throws Exception {
    LargeBlob blob = LargeBlob.writeRandom(upstreamDir.resolve("blob"), 1L << 20, 4, "application/octet-stream");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.blobs.idle-timeout", "10m"))) {
      upstream.putBlobFile(REPOSITORY, blob.digest(), blob.file());
      var head = new RegistryClient(node.url()).head("/v2/" + REPOSITORY + "/blobs/" + blob.digest());

      assertEquals(200, head.statusCode());
      assertEquals(String.valueOf(blob.size()), head.headers().firstValue("Content-Length").orElseThrow());
      assertEquals(blob.digest(), head.headers().firstValue("Docker-Content-Digest").orElseThrow());
      assertEquals(0, upstream.count("GET", "/blobs/"), "no fill started");
      assertEquals(1, upstream.count("HEAD", "/blobs/" + blob.digest()));
      assertEquals(0, upstream.bodyBytesSent());
      assertEquals(Set.of(), StoredBlobs.filling(dataDir));
      Await.until(Duration.ofSeconds(10), "no blob entity alive",
          () -> LiveEntities.of(node.node().system(), BlobEntity.ENTITY_KEY).isEmpty());
    }
  }

}
