package io.layercake.testkit;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The sharded entities of one type alive on a node now, as its shard region reports them. */
public final class LiveEntities {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private LiveEntities() {}

  /** The ids of the entities of type {@code key} running on the node of {@code system}. */
  public static Set<String> of(ActorSystem<?> system, EntityTypeKey<?> key) {
    try {
      ShardRegion.CurrentShardRegionState state = AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery,
              ShardRegion.CurrentShardRegionState>ask(ClusterSharding.get(system).shardState(),
              replyTo -> new GetShardRegionState(key, replyTo), TIMEOUT, system.scheduler())
          .toCompletableFuture().get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
      Set<String> ids = new TreeSet<>();
      state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
      return ids;
    } catch (ExecutionException | TimeoutException e) {
      throw new AssertionError("the shard region did not report its state", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
