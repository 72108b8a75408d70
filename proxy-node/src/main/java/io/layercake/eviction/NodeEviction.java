package io.layercake.eviction;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import io.layercake.UpstreamName;
import io.layercake.cluster.PeerClient;
import io.layercake.cluster.ShardAllocation;
import io.layercake.manifest.Manifests;
import io.layercake.oci.Digest;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.TagIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;

/**
 * Eviction on one node, wired: the {@link Evictor} with its periodic check, this node's
 * {@link CacheKeeper}, the {@link ClusterCache} the admin API uses, and the age rules.
 *
 * @param evictor this node's evictor (store size, cap, recent evictions, counters)
 * @param cache the cluster-wide cache verbs
 */
public record NodeEviction(Evictor evictor, ClusterCache cache) {

  /** How often the store's size is checked against the cap besides fills' announcements. */
  private static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);
  /** Akka's default; the blob entities use the default extractor with it. */
  private static final String NUMBER_OF_SHARDS = "akka.cluster.sharding.number-of-shards";

  /**
   * Starts eviction on this node.
   *
   * @param isFilling whether a digest is being filled on this node now
   * @param filling the digests being filled on this node now
   * @param registries the registry host each upstream's images are named with (see
   *     {@link ClusterCache#registryOf})
   */
  public static NodeEviction start(ActorSystem<?> system, EvictionSettings settings, BlobStore store,
      NodeDatabase database, TagIndex tags, Manifests manifests, PeerClient peers, Predicate<Digest> isFilling,
      Supplier<Set<Digest>> filling, Executor blockingExecutor, Clock clock,
      Function<UpstreamName, Optional<String>> registries) {
    int shards = system.settings().config().getInt(NUMBER_OF_SHARDS);
    Predicate<Digest> busy = isFilling;
    Evictor evictor = new Evictor(store, settings, new PinStore(database), busy, ownedHere(system, shards),
        blockingExecutor, clock);
    system.scheduler().scheduleWithFixedDelay(CHECK_INTERVAL, CHECK_INTERVAL, evictor::check,
        system.executionContext());
    CacheKeeper.init(system, peers.directory().selfUrl(), store, tags, evictor, filling, blockingExecutor);
    ClusterCache cache = new ClusterCache(system, manifests, peers, settings.nodeTimeout(), clock, registries);
    AgeRules.schedule(system, settings, cache);
    evictor.check();
    return new NodeEviction(evictor, cache);
  }

  /**
   * Whether this node is where rendezvous hashing places a blob's shard among the Up members. A
   * node alone, or a cluster still forming, owns everything.
   */
  private static Predicate<Digest> ownedHere(ActorSystem<?> system, int shards) {
    Cluster cluster = Cluster.get(system);
    return digest -> {
      List<Address> up = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .filter(m -> m.status() == MemberStatus.up() && !cluster.state().getUnreachable().contains(m))
          .map(Member::address)
          .toList();
      if (up.size() <= 1) {
        return true;
      }
      return ShardAllocation.preferredOwner(ShardAllocation.blobShard(digest, shards), up).map(cluster.selfMember().address()::equals).orElse(true);
    };
  }
}
