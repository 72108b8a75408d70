package io.layercake.eviction;

import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the age rules every {@code layercake.eviction.rule-interval} on one node of the cluster:
 * the oldest Up member, so that rules run once per interval however many nodes there are (while
 * membership changes, two nodes may both run a round; removal is idempotent, so that costs only
 * work). Each round reads the whole cluster's catalog, so an image's age accounts for every
 * node's copy of its blobs.
 */
public final class AgeRules {

  private static final Logger log = LoggerFactory.getLogger(AgeRules.class);

  private AgeRules() {}

  /** Schedules the rounds on {@code system}; does nothing without rules. */
  public static void schedule(ActorSystem<?> system, EvictionSettings settings, ClusterCache cache) {
    if (settings.rules().isEmpty()) {
      return;
    }
    log.info("Age rules every {}: {}", settings.ruleInterval(), settings.rules());
    system.scheduler().scheduleWithFixedDelay(settings.ruleInterval(), settings.ruleInterval(),
        () -> runIfOldest(system, settings, cache), system.executionContext());
  }

  private static void runIfOldest(ActorSystem<?> system, EvictionSettings settings, ClusterCache cache) {
    Cluster cluster = Cluster.get(system);
    Optional<Member> oldest = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .min(Comparator.comparing(m -> m, Member.ageOrdering()));
    if (oldest.isEmpty() || !oldest.get().equals(cluster.selfMember())) {
      return;
    }
    cache.applyRules(settings.rules(), false).whenComplete((result, error) -> {
      if (error != null) {
        log.warn("Age rules round failed, retried next round: {}", error.getMessage());
      } else if (!result.untagged().isEmpty() || !result.deleted().isEmpty()) {
        log.info("Age rules removed {} images and {} blobs ({} bytes)", result.untagged().size(),
            result.deleted().size(), result.reclaimed());
      }
    });
  }
}
