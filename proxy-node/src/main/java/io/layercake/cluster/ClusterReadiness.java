package io.layercake.cluster;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ClusterSharding;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.typed.Cluster;
import akka.pattern.Patterns;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/*
 * Implementation notes
 *
 * Being an Up member is not enough to serve: a node's shard regions register with the shard
 * coordinator only after it is Up, and until then a request for an entity waits in the region's
 * buffer (tens of seconds when the coordinator cannot be reached at all). So a node is ready once
 * the coordinator lists this node's region for every entity type. The coordinator is asked four
 * times a second (GetCurrentRegions, a small message) until it does; after that the
 * answer cannot change while the node stays Up, and asking stops. Membership is read from Akka's
 * local view each time: it is free.
 */

/** Whether this node can serve requests that need the cluster: it is Up and its regions are known. */
public final class ClusterReadiness {

  private static final Duration POLL = Duration.ofMillis(250);
  private static final Duration WAIT_STEP = Duration.ofMillis(50);
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  private final ActorSystem<?> system;
  private final Cluster cluster;
  private final List<String> entityTypes;
  private volatile boolean regionsRegistered;

  private ClusterReadiness(ActorSystem<?> system, List<String> entityTypes) {
    this.system = system;
    this.cluster = Cluster.get(system);
    this.entityTypes = List.copyOf(entityTypes);
  }

  /** Starts watching for this node's regions of {@code entityTypes} (initialised sharded entities). */
  public static ClusterReadiness start(ActorSystem<?> system, List<String> entityTypes) {
    ClusterReadiness readiness = new ClusterReadiness(system, entityTypes);
    readiness.poll();
    return readiness;
  }

  /** This node's membership status, as this node sees it: Up, Joining, Leaving, ... */
  public MemberStatus memberStatus() {
    return cluster.selfMember().status();
  }

  /** Whether this node is an Up member. */
  public boolean memberUp() {
    return memberStatus() == MemberStatus.up();
  }

  /** Whether the shard coordinator knows this node's region of every entity type. */
  public boolean regionsRegistered() {
    return regionsRegistered;
  }

  /**
   * Whether this node reaches a majority of the Up members (itself included), or half of them
   * with the lowest address among them: the side that the split brain resolver (keep-majority)
   * will keep. A node on the other side would send its entity requests to shards on nodes it
   * cannot reach, and they would wait until the resolver downs it; the fault harness measured 5.5 s
   * per request on an isolated node. Its answer is a fast 503 instead, and /readyz takes it out of
   * a load balancer.
   */
  public boolean onMajoritySide() {
    List<Address> up = new ArrayList<>();
    List<Address> reachable = new ArrayList<>();
    Set<akka.cluster.Member> unreachable = cluster.state().getUnreachable();
    for (akka.cluster.Member member : cluster.state().getMembers()) {
      if (member.status() == MemberStatus.up() || member.status() == MemberStatus.leaving()) {
        up.add(member.address());
        if (!unreachable.contains(member)) {
          reachable.add(member.address());
        }
      }
    }
    return majoritySide(up, reachable);
  }

  /**
   * Whether {@code reachable} (which holds this node) is the side of {@code up} that keep-majority
   * keeps: more than half, or exactly half with the lowest address.
   */
  static boolean majoritySide(List<Address> up, List<Address> reachable) {
    if (reachable.size() * 2 != up.size()) {
      return reachable.size() * 2 > up.size();
    }
    Address lowest = up.stream().min(Member.addressOrdering()).orElse(null);
    return reachable.contains(lowest);
  }

  /** Whether requests for sharded entities can be served now. */
  public boolean ready() {
    return memberUp() && regionsRegistered && onMajoritySide();
  }

  /**
   * Completes with true as soon as the node is {@link #ready()}, or with false once {@code within}
   * has passed without it.
   */
  public CompletionStage<Boolean> awaitReady(Duration within) {
    if (ready()) {
      return CompletableFuture.completedFuture(true);
    }
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    checkUntil(answer, System.nanoTime() + within.toNanos());
    return answer;
  }

  private void checkUntil(CompletableFuture<Boolean> answer, long deadline) {
    if (ready()) {
      answer.complete(true);
    } else if (System.nanoTime() - deadline >= 0) {
      answer.complete(false);
    } else {
      try {
        system.scheduler().scheduleOnce(WAIT_STEP, () -> checkUntil(answer, deadline), system.executionContext());
      } catch (IllegalStateException terminated) {
        answer.complete(false);
      }
    }
  }

  private void poll() {
    if (regionsRegistered || system.whenTerminated().isCompleted()) {
      return;
    }
    if (!memberUp()) {
      schedulePoll();
      return;
    }
    Address self = cluster.selfMember().address();
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    for (String type : entityTypes) {
      ActorRef region = ClusterSharding.get(system.classicSystem()).shardRegion(type);
      answers.add(Patterns.ask(region, ShardRegion.getCurrentRegionsInstance(), ASK_TIMEOUT)
          .toCompletableFuture()
          .thenApply(answer -> answer instanceof ShardRegion.CurrentRegions regions
              && regions.getRegions().contains(self))
          .exceptionally(noAnswer -> false));
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).whenComplete((done, error) -> {
      if (answers.stream().allMatch(CompletableFuture::join)) {
        regionsRegistered = true;
      } else {
        schedulePoll();
      }
    });
  }

  private void schedulePoll() {
    try {
      system.scheduler().scheduleOnce(POLL, this::poll, system.executionContext());
    } catch (IllegalStateException terminated) {
      // The scheduler refuses work once the actor system is shutting down: nothing left to watch.
    }
  }
}
