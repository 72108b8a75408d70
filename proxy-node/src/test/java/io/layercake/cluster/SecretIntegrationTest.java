package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node started with the wrong cluster secret (issue 3, acceptance 6): it joins the cluster (Akka
 * remoting knows nothing of the secret) but cannot read a blob from another node's internal
 * endpoint. The owner answers its secret with 403, so pulling through it a blob that lives on
 * another node fails instead of serving bytes, and it does not go around the refusal to upstream.
 */
class SecretIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(SecretIntegrationTest.class);

  private static final String REPOSITORY = "library/secret";
  private static final String WRONG_SECRET = "not-the-cluster-secret";
  private static final int LAYERS = 6;
  /** No rebalancing: every blob stays with the node that fetched it, none moves to the intruder. */
  private static final Map<String, Object> NO_REBALANCE = Map.of("akka.cluster.sharding.rebalance-interval", "1h");

  @TempDir Path work;

  @Test
  void nodeWithWrongSecret_isRefusedAtTheOwner_andCannotServeBlobsHeldElsewhere() throws Exception {
    TestImage.Builder builder = TestImage.builder(ImageFormat.OCI, 606);
    for (int i = 0; i < LAYERS; i++) {
      builder.layer(20_000);
    }
    Image image = builder.build();

    try (FakeRegistry upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
        TestCluster cluster = TestCluster.start(2, work.resolve("cluster"), upstream.url(), NO_REBALANCE)) {
      FakeImages.publish(upstream, REPOSITORY, "1", image);
      MirrorClient warmUp = new MirrorClient(List.of(cluster.node(0).url()),
          new MirrorClient.Policy(3, Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(1)));
      warmUp.pull(REPOSITORY, "1", image, 1).get(60, TimeUnit.SECONDS);
      // A pull completes once each blob is verified; its commit follows.
      Await.until(Duration.ofSeconds(10), "every warmed blob committed on some node", () ->
          image.blobDigests().stream().allMatch(digest -> cluster.nodes().stream()
              .anyMatch(node -> StoredBlobs.committed(node.dataDir()).contains(digest))));

      Map<String, Object> settings = new HashMap<>(NO_REBALANCE);
      settings.put("layercake.cluster.port", FreePorts.next());
      settings.put("layercake.cluster.seed-nodes", seedNodes(cluster));
      settings.put("layercake.cluster.secret", WRONG_SECRET);
      settings.put("akka.cluster.split-brain-resolver.stable-after", "3s");
      try (TestNode intruder = TestNode.start(work.resolve("intruder"), upstream.url(), settings)) {
        List<TestNode> all = new ArrayList<>(cluster.nodes());
        all.add(intruder);
        Await.until(Duration.ofSeconds(30), "the wrong-secret node Up in a cluster of 3", () -> all.stream()
            .allMatch(node -> upMembers(node) == 3));
        String presented = ClusterSettings.fromConfig(intruder.node().system().settings().config()).secret();
        assertEquals(WRONG_SECRET, presented);
        upstream.resetCounts();

        Map<String, Integer> throughIntruder = new TreeMap<>();
        for (String digest : image.blobDigests()) {
          TestNode holder = cluster.nodes().stream()
              .filter(node -> StoredBlobs.committed(node.dataDir()).contains(digest))
              .findFirst().orElseThrow(() -> new AssertionError(digest + " is on no node after the warm-up"));
          RegistryClient atHolder = new RegistryClient(holder.url());
          String internal = PeerClient.BLOBS_PATH + digest;

          HttpResponse<byte[]> refused = atHolder.get(internal, PeerClient.SECRET_HEADER, presented);
          assertEquals(403, refused.statusCode(), "the holder served " + digest + " to the wrong secret");
          assertTrue(new String(refused.body()).contains("DENIED"), new String(refused.body()));
          HttpResponse<byte[]> allowed = atHolder.get(internal, PeerClient.SECRET_HEADER, TestCluster.SECRET);
          assertEquals(200, allowed.statusCode(), "the holder refused the cluster's own secret");
          assertEquals(digest, RegistryClient.digestOf(allowed.body()));

          HttpResponse<byte[]> pulled = new RegistryClient(intruder.url())
              .get("/v2/" + REPOSITORY + "/blobs/" + digest);
          throughIntruder.put(digest, pulled.statusCode());
          assertNotEquals(200, pulled.statusCode(), "the wrong-secret node served " + digest);
          assertTrue(pulled.statusCode() >= 400, "status " + pulled.statusCode() + " for " + digest);
          assertFalse(digest.equals(RegistryClient.digestOf(pulled.body())), "the blob's bytes came through");
        }
        assertFalse(StoredBlobs.committed(intruder.dataDir()).stream().anyMatch(image.blobDigests()::contains),
            "the wrong-secret node stored a blob of the image");
        assertEquals(0, upstream.count("GET", "/blobs/"),
            "the wrong-secret node went around the refusal to upstream: " + upstream.requests());
        log.info("wrong secret: {} blobs held by the two good nodes; the holder answered 403 to the wrong secret"
            + " for each; pulls through the wrong-secret node answered {}", throughIntruder.size(),
            throughIntruder.values());
      }
    }
  }

  private static String seedNodes(TestCluster cluster) {
    List<String> seeds = new ArrayList<>();
    for (TestNode node : cluster.nodes()) {
      seeds.add("127.0.0.1:" + Cluster.get(node.node().system()).selfMember().address().port().get());
    }
    return String.join(",", seeds);
  }

  private static long upMembers(TestNode node) {
    return StreamSupport.stream(Cluster.get(node.node().system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
  }
}
