package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.Await;
import io.layercake.testkit.ClusterReport;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Found by the fault schedule (load-tests faults, "isolate the coordinator's node"): the first seed
 * node, cut off from the others, was downed by the majority and restarted by its supervisor while
 * the partition held. No other seed answered, so it formed a cluster of its own, and after the
 * heal there were two clusters for good. A node that its cluster downed must only rejoin.
 *
 * <p>Here node A is the first seed, starts with the downed marker its last run left, and its other
 * seed (B) does not answer yet: A must not form a cluster, however long it waits (Akka's first
 * seed joins itself after seed-node-timeout, 5 s). When B runs a cluster, A joins it, and the
 * marker goes.
 */
class SeedJoinIntegrationTest {

  private static final String TOKEN = "seed-join-token";

  @TempDir Path work;

  @Test
  void downedFirstSeed_neverFormsItsOwnCluster_joinsTheSurvivingOne() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    String seeds = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    Path dataA = Files.createDirectories(work.resolve("a"));
    Files.writeString(dataA.resolve(SeedJoin.DOWNED_FILE), "downed at an earlier run\n");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode a = TestNode.start(dataA, upstream.url(), Map.of(
            "layercake.cluster.port", portA,
            "layercake.cluster.seed-nodes", seeds,
            "layercake.cluster.secret", TestCluster.SECRET,
            "layercake.admin.token", TOKEN))) {
      RegistryClient client = new RegistryClient(a.url());
      // Three of Akka's seed-node timeouts: a first seed without the rule would have joined itself.
      Await.holds(Duration.ofSeconds(15), "A stays out of any cluster (/readyz 503)",
          () -> client.get("/readyz").statusCode() == 503);
      assertTrue(Files.exists(dataA.resolve(SeedJoin.DOWNED_FILE)), "the marker stays until A is Up");

      // B is the surviving cluster: it forms one from its own seed list.
      try (TestNode b = TestNode.start(work.resolve("b"), upstream.url(), Map.of(
          "layercake.cluster.port", portB,
          "layercake.cluster.seed-nodes", "127.0.0.1:" + portB,
          "layercake.cluster.secret", TestCluster.SECRET))) {
        Await.until(Duration.ofSeconds(60), "A joined B's cluster", () -> client.get("/readyz").statusCode() == 200);
        ClusterReport report = ClusterReport.fetch(a.url(), TOKEN);
        assertEquals(2, report.members().size(), report.json());
        assertEquals("127.0.0.1:" + portB, report.coordinator(), "B's cluster, B the oldest: " + report.json());
        Await.until(Duration.ofSeconds(10), "the marker removed", () -> !Files.exists(dataA.resolve(SeedJoin.DOWNED_FILE)));
      }
    }
  }

  /**
   * Found by the fault schedule too: the first seed was downed and restarting when a second fault
   * (kill -9 of another node) made the last survivor down itself. Every node was then out of any
   * cluster, and the first seed waited out rejoin-timeout (5 min) before forming one: the whole
   * cluster refused pulls for that long. When every other seed answers that it is in no cluster,
   * none is left to rejoin, and the downed first seed forms one at once.
   */
  @Test
  void downedFirstSeed_formsTheCluster_whenEveryOtherSeedIsInNone() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    String seeds = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    Path dataA = Files.createDirectories(work.resolve("a"));
    Files.writeString(dataA.resolve(SeedJoin.DOWNED_FILE), "downed at an earlier run\n");
    Map<String, Object> common = Map.of("layercake.cluster.seed-nodes", seeds,
        "layercake.cluster.secret", TestCluster.SECRET, "layercake.admin.token", TOKEN);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode b = TestNode.start(work.resolve("b"), upstream.url(), with(common, "layercake.cluster.port", portB));
        TestNode a = TestNode.start(dataA, upstream.url(), with(common, "layercake.cluster.port", portA))) {
      // B is not the first seed: it waits to be let in, answering A that it is in no cluster.
      Await.until(Duration.ofSeconds(60), "A formed the cluster and B joined it",
          () -> new RegistryClient(a.url()).get("/readyz").statusCode() == 200
              && new RegistryClient(b.url()).get("/readyz").statusCode() == 200);
      ClusterReport report = ClusterReport.fetch(b.url(), TOKEN);
      assertEquals(2, report.members().size(), report.json());
      assertEquals("127.0.0.1:" + portA, report.coordinator(), "A's cluster, A the oldest: " + report.json());
      Await.until(Duration.ofSeconds(10), "the marker removed", () -> !Files.exists(dataA.resolve(SeedJoin.DOWNED_FILE)));
    }
  }

  @Test
  void nodeDownedByItsCluster_leavesTheMarker_nodeStoppedOnPurpose_doesNot() throws Exception {
    int portA = FreePorts.next();
    int portB = FreePorts.next();
    String seeds = "127.0.0.1:" + portA + ",127.0.0.1:" + portB;
    Map<String, Object> common = Map.of("layercake.cluster.seed-nodes", seeds,
        "layercake.cluster.secret", TestCluster.SECRET);
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode a = TestNode.start(work.resolve("a"), upstream.url(), with(common, "layercake.cluster.port", portA));
        TestNode b = TestNode.start(work.resolve("b"), upstream.url(), with(common, "layercake.cluster.port", portB))) {
      Await.until(Duration.ofSeconds(60), "both ready", () -> new RegistryClient(a.url()).get("/readyz").statusCode() == 200
          && new RegistryClient(b.url()).get("/readyz").statusCode() == 200);
      akka.cluster.typed.Cluster clusterA = akka.cluster.typed.Cluster.get(a.node().system());
      akka.actor.Address addressB = akka.cluster.typed.Cluster.get(b.node().system()).selfMember().address();
      clusterA.manager().tell(new akka.cluster.typed.Down(addressB));
      b.node().system().getWhenTerminated().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(Files.exists(work.resolve("b").resolve(SeedJoin.DOWNED_FILE)), "B was downed: it must remember");
    }
    // A stopped on purpose (close: coordinated shutdown for the JVM's exit): no marker.
    assertFalse(Files.exists(work.resolve("a").resolve(SeedJoin.DOWNED_FILE)), "A was stopped, not downed");
  }

  private static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
    Map<String, Object> all = new java.util.HashMap<>(base);
    all.put(key, value);
    return all;
  }
}
