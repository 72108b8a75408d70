package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.ClusterReport;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fourth node joins a warm three-node cluster (issue 3, acceptance 4): shards move to it, and
 * the blobs of those shards are copied from the nodes that hold them when they are next pulled,
 * so pulling the image again through every node makes no upstream blob request.
 */
class JoinIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(JoinIntegrationTest.class);

  private static final String ADMIN_TOKEN = "join-admin";
  private static final String REPOSITORY = "library/join";
  private static final int LAYERS = 24;
  private static final MirrorClient.Policy RETRY_A_LITTLE = new MirrorClient.Policy(
      5, Duration.ofSeconds(30), Duration.ofMillis(200), Duration.ofSeconds(1));

  @TempDir Path work;

  @Test
  void fourthNodeJoinsWarmCluster_shardsMoveToIt_pullsThroughEveryNodeNeedNoUpstreamBlob() throws Exception {
    TestImage.Builder builder = TestImage.builder(ImageFormat.OCI, 2404);
    for (int i = 0; i < LAYERS; i++) {
      builder.layer(100_000 + i * 1_000L);
    }
    Image image = builder.build();
    Set<String> imageBlobs = new TreeSet<>(image.blobDigests());

    try (FakeRegistry upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
        TestCluster cluster = TestCluster.start(3, work, upstream.url(), Map.of(
            "layercake.admin.token", ADMIN_TOKEN,
            // Shards move within a few seconds of the join rather than the default ten.
            "akka.cluster.sharding.rebalance-interval", "2s"))) {
      FakeImages.publish(upstream, REPOSITORY, "1", image);
      for (TestNode node : cluster.nodes()) {
        pull(node, image);
      }
      for (String digest : imageBlobs) {
        assertEquals(1, authorisedGets(upstream, digest), "warm-up fetches of " + digest);
      }
      upstream.resetCounts();

      TestNode fourth = cluster.addNode();
      long joinedAt = System.nanoTime();
      Await.until(Duration.ofSeconds(60), "blob shards on the fourth node", () ->
          ClusterReport.tryFetch(fourth.url(), ADMIN_TOKEN)
              .flatMap(report -> report.memberAt(fourth.url()))
              .map(member -> member.blobShards() > 0)
              .orElse(false));
      Duration shardsMoved = Duration.ofNanos(System.nanoTime() - joinedAt);
      ClusterReport afterJoin = ClusterReport.fetch(fourth.url(), ADMIN_TOKEN);
      assertTrue(afterJoin.hasUpMembers(4), afterJoin.json());

      int attempts = 0;
      for (TestNode node : cluster.nodes()) {
        attempts += pull(node, image);
      }

      assertEquals(0, upstream.count("GET", "/blobs/"),
          "moved blobs must be copied from peers, not fetched upstream: " + upstream.requests());
      Set<String> onFourth = new TreeSet<>(StoredBlobs.committed(fourth.dataDir()));
      onFourth.retainAll(imageBlobs);
      assertFalse(onFourth.isEmpty(), "the fourth node holds none of the image's blobs");
      ClusterReport afterPulls = ClusterReport.fetch(cluster.node(0).url(), ADMIN_TOKEN);
      long fourthBytes = afterPulls.memberAt(fourth.url()).orElseThrow().blobBytes();
      assertTrue(fourthBytes > 0, afterPulls.json());

      log.info("join: {} blobs; shards on the fourth node ({}) {} ms after it was Up: {}; pulls through 4 nodes"
              + " took {} requests, {} upstream blob GETs, {} upstream requests in all; the fourth node copied {}"
              + " blobs ({} bytes reported)",
          imageBlobs.size(), fourth.url(), shardsMoved.toMillis(), shardCounts(afterJoin), attempts,
          upstream.count("GET", "/blobs/"), upstream.requests().size(), onFourth.size(), fourthBytes);
    }
  }

  /** Pulls the image through {@code node} and returns the requests it took. */
  private static int pull(TestNode node, Image image) throws Exception {
    MirrorClient client = new MirrorClient(List.of(node.url()), RETRY_A_LITTLE);
    client.pull(REPOSITORY, "1", image, node.url().hashCode()).get(60, TimeUnit.SECONDS);
    assertEquals(0, client.wrongBodies(), client.failures().toString());
    return client.attempts();
  }

  /** Upstream GETs of a blob that carried a token: each is a real fetch (the first is a 401). */
  private static long authorisedGets(FakeRegistry upstream, String digest) {
    return upstream.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().endsWith("/blobs/" + digest) && r.hasAuthorization())
        .count();
  }

  private static String shardCounts(ClusterReport report) {
    return String.join(", ", report.members().stream()
        .map(member -> member.url() + " blob=" + member.blobShards() + " tag=" + member.tagShards())
        .toList());
  }
}
