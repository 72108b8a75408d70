package io.layercake.cluster;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;

/*
 * Implementation notes
 *
 * Why entities passivate themselves: Akka's idle passivation only sees time since the last
 * message. The blob and tag entities know better: after a lookup that failed there is nothing
 * worth keeping in memory (and a flood of random names must leave no actors behind), while a
 * blob entity whose fill runs for minutes receives no message and is anything but idle. So each
 * asks its shard to passivate it when its own state says so (Akka's strategy is off for them).
 *
 * The race: the shard may have delivered requests that the entity has not processed yet when it
 * asks to be passivated; they arrive before the shard's stop message. The entity answers them,
 * and a stop that arrives while it is still answering (a store check, an upstream call) is
 * deferred until it has: otherwise those clients would wait for their ask timeout. The same holds
 * for a hand-off's stop. Work that needs no answer (a fill running in BlobFills) is not waited for.
 */

/**
 * One sharded entity's passivation of itself: asks its shard once, and defers the shard's stop
 * message while requests are in progress. Used from the entity's own thread only.
 */
public final class SelfPassivation {

  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActorRef<?> self;
  private boolean requested;
  private boolean deferred;

  /** The passivation of entity {@code self}, which lives in {@code shard}. */
  public SelfPassivation(ActorRef<ClusterSharding.ShardCommand> shard, ActorRef<?> self) {
    this.shard = shard;
    this.self = self;
  }

  /** Asks the shard to stop the entity, once, unless {@code busy} or a stop is already under way. */
  public void requestUnless(boolean busy) {
    if (!busy && !requested && !deferred) {
      requested = true;
      shard.tell(new ClusterSharding.Passivate<>(self));
    }
  }

  /**
   * The shard's stop message arrived: whether the entity stops now. If it is {@code busy}, the
   * stop is deferred until {@link #deferredStopDue} says so.
   */
  public boolean stopNow(boolean busy) {
    deferred = busy;
    return !busy;
  }

  /** Whether a deferred stop is due: one was deferred, and the entity is no longer {@code busy}. */
  public boolean deferredStopDue(boolean busy) {
    return deferred && !busy;
  }
}
