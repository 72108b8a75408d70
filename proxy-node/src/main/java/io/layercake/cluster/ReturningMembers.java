package io.layercake.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import io.layercake.oci.Digest;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.stream.StreamSupport;

/*
 * Implementation notes
 *
 * A blob lives on the node that owned its shard when it was fetched. When that node leaves, its
 * shards move to the others, which have neither the bytes nor a journal for them; they copy from
 * a peer that holds the blob, and only if none does, from upstream. A node that leaves gracefully
 * (SIGTERM: a rolling restart, an upgrade, a rescheduled pod) is usually back within seconds with
 * its data, and the fault harness measured what happens meanwhile: every one of its blobs that a
 * client asked for during those seconds was fetched from upstream again. That is a Docker Hub pull
 * spent on bytes the cluster has, and rate limits make them expensive.
 *
 * So a node that is leaving, or left after Exiting (a leave, not a crash or a downing: those are
 * unreachable and removed through Down), is remembered for returning-member-wait. A fill of a
 * blob that no peer holds waits for it (re-asking the peers once a second) rather than going
 * upstream; when the node is back it has the blob, or it does not and the fill goes upstream at
 * once. Any blob waits, not only those of the shards it owned last: a blob's bytes stay where it
 * was fetched while its shard may have moved since (a node that was down then, a rebalance), and
 * the harness caught exactly those going upstream when the wait was limited to the node's own
 * shards. The cost is that a blob new to the cluster waits too, for the few seconds the node is
 * away. A node that does not come back in time is forgotten. A crashed
 * or downed node is not waited for: its return is not expected, and clients would wait for it.
 */

/** Members that left the cluster gracefully and are expected back with their blobs: worth waiting for. */
public final class ReturningMembers {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ReturningMembers.class);

  /** How long after a returning member is Up fills still wait for it (see the listener). */
  private static final Duration UP_GRACE = Duration.ofSeconds(5);

  private final Map<Address, Long> leftAt = new ConcurrentHashMap<>();
  private final Duration wait;
  private final LongSupplier nanoTime;
  private final Cluster cluster;

  private ReturningMembers(Cluster cluster, Duration wait, LongSupplier nanoTime) {
    this.cluster = cluster;
    this.wait = wait;
    this.nanoTime = nanoTime;
  }

  /** Starts following {@code system}'s membership; {@code wait} zero turns it off. */
  public static ReturningMembers start(ActorSystem<?> system, Duration wait) {
    ReturningMembers members = new ReturningMembers(Cluster.get(system), wait, System::nanoTime);
    if (!wait.isZero()) {
      var listener = system.systemActorOf(members.listener(), "returning-members", Props.empty());
      members.cluster.subscriptions().tell(Subscribe.create(listener, ClusterEvent.MemberEvent.class));
    }
    return members;
  }

  private Behavior<ClusterEvent.MemberEvent> listener() {
    return Behaviors.receive(ClusterEvent.MemberEvent.class)
        .onMessage(ClusterEvent.MemberRemoved.class, removed -> {
          if (removed.previousStatus() == MemberStatus.exiting()) {
            leftAt.put(removed.member().address(), nanoTime.getAsLong());
            log.info("{} left gracefully: for up to {} (layercake.cluster.returning-member-wait),"
                + " blobs that no other node holds are copied from it when it is back rather than fetched from upstream",
                removed.member().address(), wait);
          } else {
            log.info("{} was removed from {}: its blobs are fetched again if no other node holds them",
                removed.member().address(), removed.previousStatus());
          }
          return Behaviors.same();
        })
        .onMessage(ClusterEvent.MemberEvent.class, event -> {
          // Up (a new incarnation has the same address): it is back, and peers ask it for blobs.
          // Not at Joining: peers do not ask a joining node yet, and a fill that stopped waiting
          // then would go upstream after all (the harness caught that race).
          // Up comes a moment before its node-to-node listener answers, so the wait ends
          // UP_GRACE later: a fill that asked the peers just then went upstream (the harness
          // caught that race too).
          if (event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp) {
            leftAt.computeIfPresent(event.member().address(),
                (address, left) -> nanoTime.getAsLong() - wait.toNanos() + Math.min(UP_GRACE.toNanos(), wait.toNanos()));
          }
          return Behaviors.same();
        })
        .build();
  }

  /**
   * A member that is leaving or left gracefully, and has not been gone for returning-member-wait:
   * it may hold {@code digest}'s blob, so a fill should wait for it. Empty when none is.
   */
  public Optional<Address> awaitedOwner(Digest digest) {
    if (wait.isZero()) {
      return Optional.empty();
    }
    long now = nanoTime.getAsLong();
    leftAt.entrySet().removeIf(entry -> now - entry.getValue() > wait.toNanos());
    return leftAt.keySet().stream().findFirst().or(() -> StreamSupport
        .stream(cluster.state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.leaving() || member.status() == MemberStatus.exiting())
        .map(Member::address)
        .findFirst());
  }
}
