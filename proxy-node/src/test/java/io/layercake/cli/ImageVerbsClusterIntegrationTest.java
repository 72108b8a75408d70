package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every image verb against a running 3-node cluster: a prewarm leaves nothing for a client's
 * pull to fetch upstream, inspect shows which nodes hold each layer, history follows a tag that
 * moved upstream, and save/load carry an image the cluster's upstream never had.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageVerbsClusterIntegrationTest {

  private static final String TOKEN = "cluster-verbs-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private FakeRegistry upstream;
  private TestCluster cluster;

  @BeforeAll
  void start() {
    upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    cluster = TestCluster.start(3, work.resolve("cluster"), upstream.url(), Map.of(
        "layercake.admin.token", TOKEN,
        // Short enough for a tag that moves upstream to be revalidated within the test.
        "layercake.manifests.tag-ttl", "1s"));
  }

  @AfterAll
  void stop() {
    cluster.close();
    upstream.close();
  }

  @Test
  void upstreams_addsUpEveryNodesPulls_whicheverNodeIsAsked() throws Exception {
    Image image = TestImage.builder(ImageFormat.DOCKER, 611).layer(1000).build();
    FakeImages.publish(upstream, "library/counted", "1", image);
    assertEquals(0, LayercakeCli.run(env(1), "pull", "counted:1").status());

    JsonNode fromFirst = JSON.readTree(LayercakeCli.run(env(0), "upstreams", "--format", "json").out());
    JsonNode fromLast = JSON.readTree(LayercakeCli.run(env(2), "upstreams", "--format", "json").out());

    assertEquals("docker-hub", fromFirst.path("Name").asText());
    assertTrue(fromFirst.path("Spent").asText().contains("prewarm"), fromFirst.toString());
    assertEquals(fromFirst.path("Spent"), fromLast.path("Spent"), "the cluster's count, from any node");
    JsonNode answer = JSON.readTree(LayercakeCli.run(env(0), "upstreams", "--format", "json").out());
    assertEquals(fromFirst.path("Spent"), answer.path("Spent"));
  }

  @Test
  void pullInspectHistory_acrossTheCluster() throws Exception {
    TestImage.Builder builder = TestImage.builder(ImageFormat.DOCKER, 601);
    for (int i = 0; i < 8; i++) {
      builder.layer(150_000);
    }
    Image first = builder.build();
    FakeImages.publish(upstream, "library/moving", "1", first);

    LayercakeCli.Output pulled = LayercakeCli.run(env(0), "pull", "moving:1");
    assertEquals(0, pulled.status(), pulled.err());
    assertTrue(pulled.out().contains("Status: Downloaded newer image for moving:1"), pulled.out());
    Await.until(Duration.ofSeconds(10), "every blob committed on some node", () -> first.blobs().stream()
        .allMatch(b -> cluster.nodes().stream()
            .anyMatch(node -> node.node().store().find(Digest.parse(b.digest())).isPresent())));

    upstream.resetCounts();
    pullThrough(cluster.node(2), "moving", "1", first);
    assertEquals(List.of(), upstreamGets(), "a client pull after the prewarm fetches nothing upstream");

    LayercakeCli.Output inspected = LayercakeCli.run(env(1), "inspect", "moving:1");
    assertEquals(0, inspected.status(), inspected.err());
    JsonNode report = JSON.readTree(inspected.out()).path(0);
    assertEquals(first.digest(), report.path("digest").asText());
    JsonNode platform = report.path("platforms").path(0);
    assertEquals(8, platform.path("layers").size());
    Set<String> holders = new HashSet<>();
    for (JsonNode layer : platform.path("layers")) {
      assertFalse(layer.path("nodes").isEmpty(), "a node holds " + layer.path("digest"));
      layer.path("nodes").forEach(node -> holders.add(node.asText()));
    }
    assertTrue(holders.size() > 1, "layers spread over the nodes: " + holders);
    assertEquals("linux", platform.path("config").path("content").path("os").asText(), inspected.out());
    assertEquals(first.digest(), report.path("history").path(0).path("digest").asText());

    Image second = TestImage.builder(ImageFormat.DOCKER, 602).layer(100_000).build();
    FakeImages.publish(upstream, "library/moving", "1", second);
    AtomicReference<String> table = new AtomicReference<>("");
    Await.until(Duration.ofSeconds(30), "the tag's move upstream recorded", () -> {
      LayercakeCli.run(env(0), "pull", "moving:1");
      LayercakeCli.Output history = LayercakeCli.run(env(2), "history", "moving:1");
      table.set(history.out());
      return history.status() == 0 && history.out().contains(second.digest());
    });
    String[] lines = table.get().split("\n");
    assertTrue(lines[0].startsWith("DIGEST"), table.get());
    assertTrue(lines[1].startsWith(second.digest()), "newest first:\n" + table.get());
    assertTrue(lines[2].startsWith(first.digest()), table.get());
    assertTrue(lines[1].contains(" ago"), table.get());
  }

  @Test
  void saveFromClusterThenLoadIntoCluster_imageTheUpstreamNeverHad() throws Exception {
    Image image = TestImage.multiPlatform(ImageFormat.OCI, 603, 120_000);
    Path archive = work.resolve("foreign.tar");
    try (FakeRegistry elsewhere = FakeRegistry.start();
        TestNode outside = TestNode.start(work.resolve("outside"), elsewhere.url(),
            Map.of("layercake.admin.token", TOKEN))) {
      FakeImages.publish(elsewhere, "team/foreign", "3", image);
      Map<String, String> env = Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", outside.url());
      LayercakeCli.Output saved = LayercakeCli.run(env, "save", "team/foreign:3", "-o", archive.toString());
      assertEquals(0, saved.status(), saved.err());
    }

    LayercakeCli.Output loaded = LayercakeCli.run(env(2), "load", "-i", archive.toString());
    assertEquals(0, loaded.status(), loaded.err());
    assertEquals("Loaded image: team/foreign:3\n", loaded.out());

    upstream.resetCounts();
    RegistryClient client = new RegistryClient(cluster.node(0).url());
    HttpResponse<byte[]> index = client.get("/v2/team/foreign/manifests/3", "Accept",
        "application/vnd.oci.image.index.v1+json");
    assertEquals(200, index.statusCode(), new String(index.body()));
    assertArrayEquals(image.manifest().bytes(), index.body());
    String amd64 = JSON.readTree(index.body()).path("manifests").path(0).path("digest").asText();
    HttpResponse<byte[]> manifest = client.get("/v2/team/foreign/manifests/" + amd64, "Accept",
        "application/vnd.oci.image.manifest.v1+json");
    assertEquals(200, manifest.statusCode());
    for (JsonNode layer : JSON.readTree(manifest.body()).path("layers")) {
      HttpResponse<byte[]> blob = client.get("/v2/team/foreign/blobs/" + layer.path("digest").asText());
      assertEquals(200, blob.statusCode());
      assertEquals(layer.path("digest").asText(), RegistryClient.digestOf(blob.body()));
    }
    assertEquals(List.of(), upstreamGets(), "served from what was loaded, on any node");

    Path again = work.resolve("again.tar");
    LayercakeCli.Output resaved = LayercakeCli.run(env(1), "save", "team/foreign:3", "-o", again.toString());
    assertEquals(0, resaved.status(), resaved.err());
    assertTrue(again.toFile().length() > 120_000, "the archive holds the layers");
  }

  /** Upstream GETs of manifests and blobs: what a pull costs (HEAD revalidations do not count). */
  private List<String> upstreamGets() {
    return upstream.requests().stream()
        .filter(r -> r.method().equals("GET") && (r.path().contains("/blobs/") || r.path().contains("/manifests/")))
        .map(r -> r.method() + " " + r.path())
        .toList();
  }

  private Map<String, String> env(int node) {
    return Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", cluster.node(node).url());
  }

  private static void pullThrough(TestNode node, String repository, String tag, Image image) {
    RegistryClient client = new RegistryClient(node.url());
    HttpResponse<byte[]> manifest = client.get("/v2/library/" + repository + "/manifests/" + tag,
        "Accept", MirrorClient.MANIFEST_ACCEPT);
    assertEquals(200, manifest.statusCode());
    for (Blob blob : image.blobs()) {
      HttpResponse<byte[]> response = client.get("/v2/library/" + repository + "/blobs/" + blob.digest());
      assertEquals(200, response.statusCode());
      assertEquals(blob.digest(), RegistryClient.digestOf(response.body()));
    }
  }
}
