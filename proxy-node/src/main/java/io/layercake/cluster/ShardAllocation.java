package io.layercake.cluster;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import akka.dispatch.Futures;
import io.layercake.oci.Digest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;

/*
 * Implementation notes: rendezvous hashing
 *
 * Every shard belongs on the member with the highest weight hash(shard, member address). This is
 * consistent hashing without a ring: when a node joins, only the shards for which the new node
 * now has the highest weight move to it (about 1/N of them), and when a node leaves, only its
 * own shards move, each to the member with the next-highest weight. Nothing else moves, and
 * every moved shard is a set of blobs whose bytes would be on the wrong node, so moving few
 * matters for a cache.
 *
 * Why not Akka's ConsistentHashingShardAllocationStrategy: its ring has ten virtual nodes per
 * member, so members' shares of the hash space vary a lot (one node of three holding well over
 * half the shards happens). Rendezvous hashing gives every member an equal expected share of
 * the 1000 shards with no tuning, at the cost of hashing each shard once per member when it is
 * allocated or rebalanced, which is rare and cheap.
 *
 * Only members that are Up and reachable receive shards; a leaving or silent node's shards go
 * elsewhere. Rebalancing waits until every member is Up and reachable, as Akka's own strategies
 * do.
 */

/** Shard allocation by rendezvous hashing over the cluster's members. */
public final class ShardAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {

  /** Shards moved per rebalance round, so a join does not move everything at once. */
  private static final int REBALANCE_LIMIT = 50;

  private final Cluster cluster;

  private ShardAllocation(ActorSystem<?> system) {
    this.cluster = Cluster.get(Adapter.toClassic(system));
  }

  /** The allocation strategy of layercake's entities on {@code system}'s cluster. */
  public static ShardCoordinator.ShardAllocationStrategy rendezvous(ActorSystem<?> system) {
    return new ShardAllocation(system);
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
      Map<ActorRef, IndexedSeq<String>> currentShardAllocations) {
    return Futures.successful(owner(shardId, eligible(currentShardAllocations.keySet()), requester));
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
      Set<String> rebalanceInProgress) {
    if (!isStable()) {
      // A handoff from an unreachable node never completes and holds its shard's messages until
      // the handoff timeout: only rebalance while every member is Up and reachable.
      return Futures.successful(Set.of());
    }
    Set<ActorRef> regions = eligible(currentShardAllocations.keySet());
    Set<String> moves = new HashSet<>();
    for (Map.Entry<ActorRef, IndexedSeq<String>> entry : currentShardAllocations.entrySet()) {
      if (!regions.contains(entry.getKey())) {
        // The region of a member that was removed, and the coordinator has not yet seen it die:
        // a handoff from it would never complete. The coordinator reallocates its shards itself.
        continue;
      }
      for (String shard : scala.jdk.javaapi.CollectionConverters.asJava(entry.getValue())) {
        if (moves.size() + rebalanceInProgress.size() >= REBALANCE_LIMIT) {
          return Futures.successful(moves);
        }
        if (!rebalanceInProgress.contains(shard) && !owner(shard, regions, entry.getKey()).equals(entry.getKey())) {
          moves.add(shard);
        }
      }
    }
    return Futures.successful(moves);
  }

  /** The region with the highest weight for the shard, or {@code fallback} if there is none. */
  private ActorRef owner(String shardId, Set<ActorRef> regions, ActorRef fallback) {
    // max keeps the first of equal weights, as a strict "greater than" scan would.
    return regions.stream().max(Comparator.comparingLong((ActorRef region) -> weight(shardId, addressOf(region))))
        .orElse(fallback);
  }

  /** Whether every member is Up and reachable: the only time moving shards is safe. */
  private boolean isStable() {
    if (!cluster.state().getUnreachable().isEmpty()) {
      return false;
    }
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .allMatch(m -> m.status() == MemberStatus.up());
  }

  /**
   * The regions that may receive a shard: those on members that are Up and reachable. A shard
   * given to an unreachable member's region is lost until that member is downed, and the
   * coordinator's write of the allocation then waits on a member that may never answer. Failing
   * that, the Up members (a partition in progress), and failing that, all (a cluster still forming).
   */
  private Set<ActorRef> eligible(Set<ActorRef> regions) {
    List<Member> members = StreamSupport.stream(cluster.state().getMembers().spliterator(), false).toList();
    Set<Member> unreachable = cluster.state().getUnreachable();
    Set<ActorRef> up = new HashSet<>();
    Set<ActorRef> upAndReachable = new HashSet<>();
    for (ActorRef region : regions) {
      Address address = addressOf(region);
      for (Member member : members) {
        if (member.address().equals(address)
            && (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp())) {
          up.add(region);
          if (!unreachable.contains(member)) {
            upAndReachable.add(region);
          }
        }
      }
    }
    if (!upAndReachable.isEmpty()) {
      return upAndReachable;
    }
    return up.isEmpty() ? regions : up;
  }

  private Address addressOf(ActorRef region) {
    Address address = region.path().address();
    return address.hasGlobalScope() ? address : cluster.selfAddress();
  }

  /**
   * The member that rendezvous hashing places a shard on, among {@code members} (which should be
   * the Up, reachable members, as allocation uses): how eviction tells the blobs of shards this
   * node no longer owns without asking the coordinator.
   */
  public static Optional<Address> preferredOwner(String shardId, Collection<Address> members) {
    return members.stream().max(Comparator.comparingLong((Address member) -> weight(shardId, member)));
  }

  /**
   * The shard of {@code digest}'s blob entity (whose id is the digest): Akka's default extractor,
   * the id's hash modulo the number of shards.
   */
  public static String blobShard(Digest digest, int shards) {
    return Integer.toString(Math.abs(digest.toString().hashCode() % shards));
  }

  private static long weight(String shardId, Address member) {
    byte[] hash = Digest.newSha256().digest((shardId + "@" + member).getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(hash).getLong();
  }
}
