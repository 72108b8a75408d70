package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One pull budget for the cluster: once upstream reports its limit spent to whichever node owned
 * the tag (fewer pulls left than nodes), every node answers 429 itself for what the cache lacks,
 * and upstream hears nothing more: it never had to answer 429.
 */
class PullBudgetClusterIntegrationTest {

  private static final String TOKEN = "budget-cluster-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path work;

  @Test
  void aSpentLimitReportedToOneNode_holdsBackEveryNode() throws Exception {
    List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h");
    try (FakeRegistry hub = FakeRegistry.start(FakeRegistry.Options.defaults().pullLimit(3, Duration.ofHours(1)));
        TestCluster cluster = TestCluster.start(2, work, hub.url(), Map.of("layercake.admin.token", TOKEN))) {
      for (String name : names) {
        FakeImages.publish(hub, "library/" + name, "1", TestImage.singlePlatform(ImageFormat.OCI, name.hashCode(), 200));
      }
      RegistryClient first = new RegistryClient(cluster.node(0).url());
      assertEquals(200, manifest(first, "a").statusCode());
      assertEquals(200, manifest(first, "b").statusCode());
      assertEquals(429, manifest(first, "c").statusCode(), "1 left of 3 is none for 2 nodes");
      assertEquals(0, hub.pullsRefused(), "the mirror held back before upstream had to");

      Await.until(Duration.ofSeconds(20), "every node knows the limit is spent",
          () -> cluster.nodes().stream().allMatch(node -> List.of("none left", "backing off").contains(budget(node))));
      hub.resetCounts();
      RegistryClient second = new RegistryClient(cluster.node(1).url());
      for (String name : names.subList(3, names.size())) {
        assertEquals(429, manifest(second, name).statusCode(), name);
      }
      assertEquals(0, hub.count("GET", "/manifests/"), "no node asked upstream again");
      assertEquals(0, hub.pullsRefused(), "upstream never answered 429");
    }
  }

  private static HttpResponse<byte[]> manifest(RegistryClient client, String name) {
    return client.get("/v2/library/" + name + "/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
  }

  private static String budget(TestNode node) {
    try {
      HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create(node.url() + "/admin/upstreams")).header("Authorization", "Bearer " + TOKEN).build(),
          HttpResponse.BodyHandlers.ofString());
      JsonNode upstream = JSON.readTree(answer.body()).path("upstreams").path(0);
      return upstream.path("budget").asText();
    } catch (Exception e) {
      return "unknown: " + e;
    }
  }
}
