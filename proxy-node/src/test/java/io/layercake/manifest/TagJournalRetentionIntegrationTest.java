package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.persistence.JournalEvents;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 7: a tag's journal does not grow forever. Revalidated at every pull (tag-ttl
 * 0s), it snapshots every few events and deletes what the snapshots cover, while its history keeps
 * the newest history-depth manifests, across a restart too.
 */
class TagJournalRetentionIntegrationTest {

  private static final String TOKEN = "history-token";
  private static final String PERSISTENCE_ID = TagEntity.ENTITY_KEY.name() + "|docker-hub/library/moving:latest";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void revalidatedTag_journalBounded_historyKeepsNewestPeriods() throws Exception {
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      images.add(TestImage.singlePlatform(ImageFormat.OCI, 140 + i, 100));
    }
    Map<String, Object> settings = Map.of(
        "layercake.manifests.tag-ttl", "0s",
        "layercake.manifests.snapshot-every", 5,
        "layercake.manifests.history-depth", 3,
        "layercake.admin.token", TOKEN);
    try (FakeRegistry upstream = FakeRegistry.start()) {
      try (TestNode node = TestNode.start(dataDir, upstream.url(), settings)) {
        RegistryClient client = new RegistryClient(node.url());
        for (Image image : images) {
          FakeImages.publish(upstream, "library/moving", "latest", image);
          for (int pull = 0; pull < 20; pull++) {
            assertEquals(image.digest(), pullDigest(client));
          }
        }
        // 100 journaled answers (5 moves, 95 revalidations): what is left is what the last two
        // snapshots do not cover, at most 2 x snapshot-every, once the last deletion (which runs
        // after its snapshot is saved) is done.
        JournalEvents journal = new JournalEvents(node.node().system());
        Await.until(Duration.ofSeconds(10), "at most 10 events left in the journal",
            () -> journal.read(PERSISTENCE_ID).size() <= 10);
        assertEquals(lastDigests(images, 3), historyDigests(node));
      }
      try (TestNode restarted = TestNode.start(dataDir, upstream.url(), settings)) {
        assertEquals(lastDigests(images, 3), historyDigests(restarted), "the history survives a restart");
        assertEquals(images.get(4).digest(), pullDigest(new RegistryClient(restarted.url())));
      }
    }
  }

  private static String pullDigest(RegistryClient client) {
    HttpResponse<byte[]> response = client.get("/v2/library/moving/manifests/latest", "Accept",
        MirrorClient.MANIFEST_ACCEPT);
    assertEquals(200, response.statusCode());
    return response.headers().firstValue("Docker-Content-Digest").orElseThrow();
  }

  private static List<String> lastDigests(List<Image> images, int count) {
    return images.subList(images.size() - count, images.size()).stream().map(Image::digest).toList();
  }

  private static List<String> historyDigests(TestNode node) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(node.url() + "/admin/history?image=moving:latest&scope=node"))
            .header("Authorization", "Bearer " + TOKEN).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    List<String> digests = new ArrayList<>();
    for (JsonNode entry : JSON.readTree(response.body()).path("history")) {
      digests.add(entry.path("digest").asText());
    }
    return digests;
  }
}
