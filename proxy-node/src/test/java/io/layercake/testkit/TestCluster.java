package io.layercake.testkit;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import io.layercake.blob.BlobEntity;
import io.layercake.eviction.CacheKeeper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

/**
 * Several layercake nodes in this JVM forming one cluster over loopback: real remoting, real
 * HTTP ports, one data folder each, and a shared secret.
 */
public final class TestCluster implements AutoCloseable {

  /** The cluster secret the test nodes share. */
  public static final String SECRET = NodeProcessCluster.SECRET;

  private final List<TestNode> nodes = new ArrayList<>();
  private final List<Integer> remotingPorts = new ArrayList<>();
  private final Path dataRoot;
  private final String upstreamUrl;
  private final Map<String, Object> extra;

  private TestCluster(Path dataRoot, String upstreamUrl, Map<String, Object> extra) {
    this.dataRoot = dataRoot;
    this.upstreamUrl = upstreamUrl;
    this.extra = extra;
  }

  /** Starts {@code size} nodes that seed from each other and waits until all are Up. */
  public static TestCluster start(int size, Path dataRoot, String upstreamUrl, Map<String, Object> extra) {
    TestCluster cluster = new TestCluster(dataRoot, upstreamUrl, extra);
    for (int i = 0; i < size; i++) {
      cluster.remotingPorts.add(FreePorts.next());
    }
    try {
      for (int i = 0; i < size; i++) {
        cluster.nodes.add(cluster.startNode(i, cluster.remotingPorts.get(i)));
      }
      cluster.awaitMembers(size);
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Starts one more node that joins through the existing ones, and waits until it is Up. */
  public TestNode addNode() {
    int port = FreePorts.next();
    remotingPorts.add(port);
    TestNode node = startNode(nodes.size(), port);
    nodes.add(node);
    awaitMembers(nodes.size());
    return node;
  }

  /** The node at {@code index}. */
  public TestNode node(int index) {
    return nodes.get(index);
  }

  /** All nodes, in start order. */
  public List<TestNode> nodes() {
    return List.copyOf(nodes);
  }

  /**
   * Waits until every node sees {@code count} members, all Up, and the blob shard coordinator
   * knows a region on each of them. Members are Up before their regions register; a shard first
   * used in between goes to the regions known then, and a test that expects blobs spread over
   * the nodes would find them all on one.
   */
  public void awaitMembers(int count) {
    Await.until(Duration.ofSeconds(60), count + " members up on every node", () -> nodes.stream()
        .allMatch(node -> {
          var members = StreamSupport.stream(
              Cluster.get(node.node().system()).state().getMembers().spliterator(), false).toList();
          return members.size() == count && members.stream().allMatch(m -> m.status() == MemberStatus.up());
        }));
    ActorSystem<?> system = nodes.get(0).node().system();
    Await.until(Duration.ofSeconds(60), count + " blob shard regions known to the coordinator",
        () -> blobRegions(system) == count);
    Await.until(Duration.ofSeconds(30), "every node ready", () -> nodes.stream()
        .allMatch(node -> node.node().health().ready()));
    // The cluster-wide cache verbs answer 503 until every member's keeper is known.
    Await.until(Duration.ofSeconds(30), count + " cache keepers known to every node", () -> nodes.stream()
        .allMatch(node -> keepers(node.node().system()) == count));
  }

  /** How many cache keepers {@code system}'s receptionist lists; 0 while it cannot answer. */
  private static int keepers(ActorSystem<?> system) {
    try {
      return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(system.receptionist(),
              replyTo -> Receptionist.find(CacheKeeper.SERVICE_KEY, replyTo), Duration.ofSeconds(3), system.scheduler())
          .toCompletableFuture().join().getServiceInstances(CacheKeeper.SERVICE_KEY).size();
    } catch (RuntimeException notYet) {
      return 0;
    }
  }

  /** How many blob shard regions the coordinator knows; 0 while it cannot answer yet. */
  private static int blobRegions(ActorSystem<?> system) {
    try {
      return AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
              ClusterSharding.get(system).shardState(),
              replyTo -> new GetClusterShardingStats(BlobEntity.ENTITY_KEY, Duration.ofSeconds(3), replyTo),
              Duration.ofSeconds(5), system.scheduler())
          .toCompletableFuture().join().getRegions().size();
    } catch (RuntimeException notYet) {
      return 0;
    }
  }

  @Override
  public void close() {
    for (TestNode node : nodes) {
      try {
        node.close();
      } catch (RuntimeException e) {
        // Keep closing the others.
      }
    }
  }

  private TestNode startNode(int index, int remotingPort) {
    StringBuilder seeds = new StringBuilder();
    for (int i = 0; i < Math.min(remotingPorts.size(), 3); i++) {
      seeds.append(i == 0 ? "" : ",").append("127.0.0.1:").append(remotingPorts.get(i));
    }
    Map<String, Object> settings = new HashMap<>(extra);
    settings.put("layercake.cluster.port", remotingPort);
    settings.put("layercake.cluster.seed-nodes", seeds.toString());
    settings.put("layercake.cluster.secret", SECRET);
    settings.putIfAbsent("akka.cluster.split-brain-resolver.stable-after", "3s");
    return TestNode.start(dataRoot.resolve("node-" + index), upstreamUrl, settings);
  }
}
