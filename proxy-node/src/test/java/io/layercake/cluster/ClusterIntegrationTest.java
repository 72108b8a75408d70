package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes in one JVM: one upstream fetch per blob for the whole cluster, spread bytes. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterIntegrationTest {

  private static final String ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, "
      + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
  private static final int LAYERS = 30;
  private static final int CLIENTS = 30;
  private static final String ADMIN_TOKEN = "admin-token";

  @TempDir static Path work;
  private FakeRegistry upstream;
  private TestCluster cluster;

  @BeforeAll
  void start() {
    upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    cluster = TestCluster.start(3, work, upstream.url(), Map.of("layercake.admin.token", ADMIN_TOKEN));
  }

  @AfterAll
  void stop() {
    cluster.close();
    upstream.close();
  }

  @Test
  void coldImageThroughAllNodes_oneUpstreamGetPerBlob_spreadBytes_warmPullNeedsNoUpstream()
      throws Exception {
    TestImage.Builder builder = TestImage.builder(ImageFormat.DOCKER, 41);
    for (int i = 0; i < LAYERS; i++) {
      builder.layer(200_000);
    }
    Image image = builder.build();
    FakeImages.publish(upstream, "library/spread", "1", image);

    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    List<CompletableFuture<Void>> pulls = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      RegistryClient client = new RegistryClient(cluster.node(i % 3).url());
      pulls.add(CompletableFuture.runAsync(() -> pull(client, image), pool));
    }
    CompletableFuture.allOf(pulls.toArray(CompletableFuture[]::new)).join();
    pool.shutdown();
    // A pull completes once each blob is verified; its commit follows.
    Await.until(Duration.ofSeconds(10), "every blob committed on some node", () -> image.blobs().stream()
        .allMatch(b -> cluster.nodes().stream()
            .anyMatch(node -> node.node().store().find(Digest.parse(b.digest())).isPresent())));

    for (Blob blob : image.blobs()) {
      // Authorised GETs: a node's first request in a scope is answered 401 and repeated with a token.
      long fetches = upstream.requests().stream()
          .filter(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + blob.digest()) && r.hasAuthorization())
          .count();
      assertEquals(1, fetches, "upstream GETs of " + blob.digest());
    }

    long total = 0;
    long max = 0;
    for (TestNode node : cluster.nodes()) {
      long held = image.blobs().stream()
          .filter(b -> node.node().store().find(Digest.parse(b.digest())).isPresent())
          .mapToLong(Blob::size).sum();
      total += held;
      max = Math.max(max, held);
    }
    assertTrue(max <= 0.6 * total, "one node holds " + max + " of " + total + " blob bytes");
    System.out.printf("cluster spread: the fullest node holds %d of %d blob bytes (%.0f %%)%n",
        max, total, 100.0 * max / total);

    upstream.resetCounts();
    for (TestNode node : cluster.nodes()) {
      pull(new RegistryClient(node.url()), image);
    }
    assertEquals(List.of(), upstream.requests(), "a warm pull through any node needs no upstream request");
  }

  @Test
  void internalEndpoint_refusesWrongOrMissingSecret() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 42, 1000);
    FakeImages.publish(upstream, "library/secret", "1", image);
    pull(new RegistryClient(cluster.node(0).url()), image);
    Blob config = image.blobs().get(0);

    for (TestNode node : cluster.nodes()) {
      RegistryClient client = new RegistryClient(node.url());
      String path = PeerClient.BLOBS_PATH + config.digest();
      assertEquals(403, client.get(path).statusCode());
      assertEquals(403, client.get(path, PeerClient.SECRET_HEADER, "wrong-secret").statusCode());
      int status = client.get(path, PeerClient.SECRET_HEADER, TestCluster.SECRET).statusCode();
      assertTrue(status == 200 || status == 404, "with the secret: " + status);
    }
  }

  @Test
  void adminCluster_listsThreeUpMembersWithShards_andNeedsTheToken() throws Exception {
    RegistryClient client = new RegistryClient(cluster.node(1).url());
    assertEquals(401, client.get("/admin/cluster").statusCode());
    assertEquals(401, client.get("/admin/cluster", "Authorization", "Bearer wrong").statusCode());

    HttpResponse<byte[]> response = client.get("/admin/cluster", "Authorization", "Bearer " + ADMIN_TOKEN);

    assertEquals(200, response.statusCode());
    com.fasterxml.jackson.databind.JsonNode report = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    assertEquals("proxy", report.path("dataPlane").asText());
    assertEquals(3, report.path("members").size(), report.toString());
    for (com.fasterxml.jackson.databind.JsonNode member : report.path("members")) {
      assertEquals("Up", member.path("status").asText());
      assertTrue(member.path("address").asText().startsWith("127.0.0.1:"));
      assertTrue(member.path("blobBytes").isNumber(), report.toString());
    }
  }

  private static void pull(RegistryClient client, Image image) {
    HttpResponse<byte[]> manifest = client.get("/v2/library/" + repoOf(image) + "/manifests/1", "Accept", ACCEPT);
    assertEquals(200, manifest.statusCode(), new String(manifest.body()));
    assertArrayEquals(image.manifest().bytes(), manifest.body());
    for (Blob blob : image.blobs()) {
      HttpResponse<byte[]> response = client.get("/v2/library/" + repoOf(image) + "/blobs/" + blob.digest());
      assertEquals(200, response.statusCode(), new String(response.body()));
      assertEquals(blob.digest(), RegistryClient.digestOf(response.body()));
    }
  }

  private static String repoOf(Image image) {
    return image.blobs().size() > 10 ? "spread" : "secret";
  }
}
