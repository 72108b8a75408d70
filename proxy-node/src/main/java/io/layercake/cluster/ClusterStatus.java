package io.layercake.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import io.layercake.Json;
import io.layercake.metrics.NodeMetrics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code GET /admin/cluster}: every member's remoting address, status, reachability (as this
 * node's failure detector sees it) and registry URL, the oldest Up member (where the shard
 * coordinators run), the shards each member hosts, and the blob bytes on its disk (asked of each member's internal endpoint; a
 * member that does not answer shows null rather than failing the report). Holds nothing secret,
 * so the unauthenticated status page shows it too.
 */
public final class ClusterStatus {

  private final ActorSystem<?> system;
  private final ClusterSettings cluster;
  private final PeerClient peers;
  private final Map<String, EntityTypeKey<?>> sharded;

  /**
   * The status of the cluster {@code system} is a member of, asking peers through {@code peers};
   * each member's shards are counted for every entity type in {@code sharded}, under its name.
   */
  public ClusterStatus(ActorSystem<?> system, ClusterSettings cluster, PeerClient peers,
      Map<String, EntityTypeKey<?>> sharded) {
    this.system = system;
    this.cluster = cluster;
    this.peers = peers;
    this.sharded = new LinkedHashMap<>(sharded);
  }

  /** The report: this node, the data plane, the coordinator and every member. */
  public CompletionStage<ClusterReport> report() {
    List<Member> members = peers.directory().members();
    Map<String, CompletableFuture<Map<Address, Integer>>> shardCounts = new LinkedHashMap<>();
    sharded.forEach((name, key) -> shardCounts.put(name, shardsPerMember(key)));
    List<CompletableFuture<Optional<ClusterReport.Storage>>> storage =
        members.stream().map(this::storageOf).toList();
    List<CompletableFuture<?>> all = new ArrayList<>(storage);
    all.addAll(shardCounts.values());
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Set<Member> unreachable = Cluster.get(system).state().getUnreachable();
      List<ClusterReport.Node> nodes = new ArrayList<>();
      for (int i = 0; i < members.size(); i++) {
        Member member = members.get(i);
        Map<String, Integer> shards = new LinkedHashMap<>();
        shardCounts.forEach((name, counts) -> shards.put(name, counts.join().getOrDefault(member.address(), 0)));
        Optional<ClusterReport.Storage> stats = storage.get(i).join();
        nodes.add(new ClusterReport.Node(hostPort(member.address()), member.status().toString(),
            !unreachable.contains(member), PeerDirectory.urlOf(member).orElse(null), shards,
            stats.map(ClusterReport.Storage::blobs).orElse(null),
            stats.map(ClusterReport.Storage::blobBytes).orElse(null)));
      }
      return new ClusterReport(hostPort(Cluster.get(system).selfMember().address()),
          cluster.dataPlane().name().toLowerCase(Locale.ROOT),
          oldestUp(members).map(oldest -> hostPort(oldest.address())).orElse(null), List.copyOf(nodes));
    });
  }

  /**
   * The oldest Up member as this node sees it: where the shard coordinators run (sharding without
   * roles puts them on the oldest member), so the node whose loss moves them.
   */
  private static Optional<Member> oldestUp(List<Member> members) {
    return members.stream().filter(member -> member.status() == MemberStatus.up())
        .reduce((oldest, member) -> member.isOlderThan(oldest) ? member : oldest);
  }

  private CompletableFuture<Map<Address, Integer>> shardsPerMember(EntityTypeKey<?> key) {
    return AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetClusterShardingStats(key, peers.timeout(), replyTo),
            peers.timeout().plusSeconds(1), system.scheduler())
        .toCompletableFuture()
        .thenApply(stats -> stats.getRegions().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, region -> region.getValue().getStats().size())))
        .exceptionally(error -> Map.of());
  }

  private CompletableFuture<Optional<ClusterReport.Storage>> storageOf(Member member) {
    if (member.address().equals(Cluster.get(system).selfMember().address())) {
      // This node's own numbers are at hand: asking its own internal endpoint over HTTP would cost
      // a request per page view (and, on a single node with no cluster secret, a refusal each).
      return CompletableFuture.completedFuture(NodeMetrics.get(system).storeUsage()
          .map(usage -> new ClusterReport.Storage(usage.blobs(), usage.bytes())));
    }
    Optional<String> url = PeerDirectory.urlOf(member);
    if (url.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return peers.getSmall(url.get(), PeerClient.STATS_PATH, 64 * 1024).thenApply(body -> body.flatMap(json -> {
      try {
        return Optional.of(Json.answerReader(ClusterReport.Storage.class).<ClusterReport.Storage>readValue(json));
      } catch (IOException e) {
        return Optional.<ClusterReport.Storage>empty();
      }
    })).toCompletableFuture();
  }

  private static String hostPort(Address address) {
    return address.host().getOrElse(() -> "?") + ":" + address.port().getOrElse(() -> 0);
  }
}
