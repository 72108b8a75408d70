package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.layercake.persistence.JournalEvents;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.testkit.Await;
import io.layercake.testkit.DatabaseKeys;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.LiveEntities;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When a tag's entity lives (issue 10, finding 2): a resolution that fails stops it at once and
 * leaves nothing in the journal; a resolved tag keeps it until it has been idle a while.
 */
class TagEntityLifecycleIntegrationTest {

  private static final String REPOSITORY = "library/lifecycle";
  private static final String ACCEPT = "application/vnd.oci.image.index.v1+json,"
      + "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json,"
      + "application/vnd.docker.distribution.manifest.list.v2+json";

  @TempDir Path dataDir;

  @Test
  void resolveTag_unknownToUpstream_entityStopsAtOnceAndJournalsNothing() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.manifests.idle-timeout", "10m"))) {
      RegistryClient client = new RegistryClient(node.url());
      for (int i = 0; i < 20; i++) {
        assertEquals(404, client.get("/v2/" + REPOSITORY + "/manifests/missing-" + i, "Accept", ACCEPT).statusCode());
      }

      // Far sooner than the idle timeout: the failed resolutions stopped their entities.
      Await.until(Duration.ofSeconds(10), "no tag entity alive",
          () -> LiveEntities.of(node.node().system(), TagEntity.ENTITY_KEY).isEmpty());
      JournalEvents journal = new JournalEvents(node.node().system());
      assertEquals(List.of(), journal.read("Tag|docker-hub/" + REPOSITORY + ":missing-0"));
      Map<NodeDatabase.Family, Long> keys = DatabaseKeys.count(NodeDatabaseExtension.get(node.node().system()));
      for (NodeDatabase.Family family : List.of(NodeDatabase.Family.JOURNAL, NodeDatabase.Family.JOURNAL_META,
          NodeDatabase.Family.SNAPSHOTS, NodeDatabase.Family.TAGS, NodeDatabase.Family.REPOSITORIES)) {
        assertEquals(0L, keys.get(family), family + ": " + keys);
      }
    }
  }

  @Test
  void unknownTagAskedAgain_answeredFromTheNegativeCache_upstreamAskedOnce() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url())) {
      RegistryClient client = new RegistryClient(node.url());
      for (int i = 0; i < 3; i++) {
        assertEquals(404, client.get("/v2/" + REPOSITORY + "/manifests/not-yet", "Accept", ACCEPT).statusCode());
        assertEquals(404, client.head("/v2/" + REPOSITORY + "/manifests/not-yet", "Accept", ACCEPT).statusCode());
      }
      assertEquals(1, upstream.count("GET", "/manifests/not-yet") + upstream.count("HEAD", "/manifests/not-yet"),
          "upstream asked once: " + upstream.requests());
    }
  }

  @Test
  void resolvedTag_keepsItsEntityUntilIdle() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.manifests.idle-timeout", "2s"))) {
      FakeImages.publish(upstream, REPOSITORY, "1", TestImage.singlePlatform(ImageFormat.DOCKER, 1, 100));
      assertEquals(200, new RegistryClient(node.url())
          .get("/v2/" + REPOSITORY + "/manifests/1", "Accept", ACCEPT).statusCode());

      assertFalse(LiveEntities.of(node.node().system(), TagEntity.ENTITY_KEY).isEmpty(),
          "a resolved tag keeps its entity for a while");
      Await.until(Duration.ofSeconds(15), "the idle tag entity passivated",
          () -> LiveEntities.of(node.node().system(), TagEntity.ENTITY_KEY).isEmpty());
      assertEquals(1, new JournalEvents(node.node().system()).read("Tag|docker-hub/" + REPOSITORY + ":1").size());
    }
  }
}
