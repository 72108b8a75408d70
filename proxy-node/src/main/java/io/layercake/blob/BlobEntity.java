package io.layercake.blob;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import io.layercake.CborSerializable;
import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.cluster.SelfPassivation;
import io.layercake.cluster.ShardAllocation;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StoredBlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/*
 * Implementation notes
 *
 * Single flight: all requests for one digest, from any client, meet in this one entity. The
 * first request with nothing on disk starts a fill; requests that arrive while upstream has not
 * yet answered wait in `waiters`; requests that arrive while the body streams are told to read
 * the growing file. So N concurrent requests for a cold blob make one upstream GET. Starting a
 * fill takes a place under the node's caps (BlobFills, FillLimiter), once per fill.
 *
 * HEAD is cheap: LocateBlob answers from what the owner knows (stored here, or being filled) and
 * never starts a fill. BlobAbsent lets the asking node ask upstream with a HEAD itself, which
 * moves no body: docker's clients GET the blobs they need anyway.
 *
 * Lifecycle, so that memory stays bounded whatever digests clients send:
 *   - A lookup that ends with nothing stored and nothing filling (upstream's 404, an outage, no
 *     place under the fill caps) passivates the entity at once. It persisted nothing: only a
 *     committed blob (BlobStored) is ever journaled, so random digests leave no trace.
 *   - While a fill runs, the entity stays, to journal BlobStored when it commits.
 *   - Otherwise it passivates after layercake.blobs.idle-timeout without a request (a receive
 *     timeout). Akka's own idle passivation is off for this type: it cannot tell an entity that
 *     waits for a long fill from an idle one.
 *   - Passivation and hand-off stop it with Stop (cluster.SelfPassivation). Requests it is still
 *     answering (a store check, a fill being started) are answered first, so a request that
 *     slipped in just before the shard heard "passivate" is not lost; a running fill is not
 *     waited for: it goes on in BlobFills, and the next incarnation joins it.
 *
 * The file on disk is the truth. The journal records that a blob was stored (its size and when),
 * which is the blob's history; but before answering "stored" the entity checks the file, so an
 * entity recovered after a crash or an eviction never points at a file that is not there.
 *
 * All disk checks run on the blocking dispatcher and come back through pipeToSelf.
 */

/** The sharded entity that owns one blob digest: single flight of its fill, and its history. */
public final class BlobEntity
    extends EventSourcedBehavior<BlobEntity.Command, BlobEntity.Event, BlobEntity.State> {

  /** The sharding key: entity ids are digests. */
  public static final EntityTypeKey<Command> ENTITY_KEY =
      EntityTypeKey.create(Command.class, "Blob");

  /** Commands to a blob entity. */
  public sealed interface Command extends CborSerializable {}

  /**
   * Makes the blob readable on the owner node: answers at once if it is stored or filling, or
   * starts a fill from {@code upstream}'s {@code repository}.
   *
   * @param upstream the configured upstream to fetch from if the blob is cold
   * @param repository the repository the client asked under, needed by the upstream
   */
  public record FetchBlob(UpstreamName upstream, RepositoryName repository, ActorRef<BlobReply> replyTo)
      implements Command {}

  /**
   * Tells where the blob can be read if the owner node holds it or is filling it, and
   * {@link BlobReply.BlobAbsent} otherwise. Never starts a fill: this is what a HEAD asks.
   */
  public record LocateBlob(ActorRef<BlobReply> replyTo) implements Command {}

  private record StoreChecked(Optional<StoredBlob> stored, Throwable error) implements Command {}

  private record FillStarted(BlobFill fill, Throwable error) implements Command {}

  private record FillEnded(BlobFill fill, StoredBlob stored, Throwable error) implements Command {}

  /** No request for idle-timeout. */
  private enum Idle implements Command { INSTANCE }

  /** From the shard: passivation or hand-off. */
  private enum Stop implements Command { INSTANCE }

  /** Events of a blob's history. */
  public sealed interface Event extends CborSerializable {}

  /**
   * A verified copy was committed to this node's store.
   *
   * @param size its size in bytes
   * @param storedAt epoch milliseconds
   */
  public record BlobStored(long size, long storedAt) implements Event {}

  /**
   * What the journal knows.
   *
   * @param size the size of the last stored copy, or -1 if it was never stored
   * @param storedAt when it was last stored, epoch milliseconds, or 0
   */
  public record State(long size, long storedAt) implements CborSerializable {
    static final State EMPTY = new State(-1, 0);
  }

  /** Starts sharding of blob entities on this node. */
  public static void init(ActorSystem<?> system, BlobFills fills) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY,
            context -> create(Digest.parse(context.getEntityId()), fills, context.getShard()))
        .withStopMessage(Stop.INSTANCE)
        .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
        .withAllocationStrategy(ShardAllocation.rendezvous(system)));
  }

  /** The behaviour of the entity for {@code digest}, which asks {@code shard} to passivate it. */
  public static Behavior<Command> create(Digest digest, BlobFills fills,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(context -> new BlobEntity(context, digest, fills, shard));
  }

  private final ActorContext<Command> context;
  private final Digest digest;
  private final BlobFills fills;
  private final SelfPassivation passivation;
  private final NodeMetrics metrics;
  /** Requests waiting for the store check or for the fill to start. */
  private final List<FetchBlob> waiters = new ArrayList<>();
  /** HEAD requests waiting for the store check. */
  private final List<LocateBlob> locators = new ArrayList<>();
  private boolean checking;
  private boolean starting;
  private BlobFill activeFill;

  private BlobEntity(ActorContext<Command> context, Digest digest, BlobFills fills,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    super(PersistenceId.of(ENTITY_KEY.name(), digest.toString()));
    this.context = context;
    this.digest = digest;
    this.fills = fills;
    this.passivation = new SelfPassivation(shard, context.getSelf());
    this.metrics = NodeMetrics.get(context.getSystem());
    context.setReceiveTimeout(fills.settings().idleTimeout(), Idle.INSTANCE);
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(FetchBlob.class, this::onFetchBlob)
        .onCommand(LocateBlob.class, this::onLocateBlob)
        .onCommand(StoreChecked.class, this::onStoreChecked)
        .onCommand(FillStarted.class, this::onFillStarted)
        .onCommand(FillEnded.class, this::onFillEnded)
        .onCommand(Idle.class, this::onIdle)
        .onCommand(Stop.class, this::onStop)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(BlobStored.class, (state, event) -> new State(event.size(), event.storedAt()))
        .build();
  }

  private Effect<Event, State> onFetchBlob(FetchBlob command) {
    BlobFill fill = liveFill();
    if (fill != null) {
      metrics.fillJoined(1);
      return Effect().none().thenRun(() ->
          command.replyTo().tell(new BlobReply.BlobLocation(fill.size(), false, selfUrl())));
    }
    waiters.add(command);
    if (!checking && !starting) {
      checkStore();
    }
    return Effect().none();
  }

  private Effect<Event, State> onLocateBlob(LocateBlob command) {
    BlobFill fill = liveFill();
    if (fill != null) {
      return Effect().none().thenRun(() ->
          command.replyTo().tell(new BlobReply.BlobLocation(fill.size(), false, selfUrl())));
    }
    if (starting) {
      // A fill is waiting for a place or for upstream's headers: nothing to read yet.
      return Effect().none().thenRun(() -> command.replyTo().tell(new BlobReply.BlobAbsent(selfUrl())));
    }
    locators.add(command);
    if (!checking) {
      checkStore();
    }
    return Effect().none();
  }

  private void checkStore() {
    checking = true;
    context.pipeToSelf(
        CompletableFuture.supplyAsync(() -> fills.store().find(digest), fills.blockingExecutor()),
        StoreChecked::new);
  }

  private Effect<Event, State> onStoreChecked(State state, StoreChecked checked) {
    checking = false;
    if (checked.error() != null) {
      return failed(BlobReply.BlobFailure.of(checked.error()));
    }
    if (checked.stored().isPresent()) {
      StoredBlob stored = checked.stored().get();
      BlobReply location = new BlobReply.BlobLocation(stored.size(), true, selfUrl());
      List<ActorRef<BlobReply>> answered = drainAll();
      if (state.size() == stored.size()) {
        return settled(Effect().none().thenRun(() -> answered.forEach(asker -> asker.tell(location))));
      }
      // Stored while the journal did not hear of it (a crash between commit and persist):
      // record it now so the history is complete.
      return settled(Effect().persist(new BlobStored(stored.size(), System.currentTimeMillis()))
          .thenRun(() -> answered.forEach(asker -> asker.tell(location))));
    }
    Optional<BlobFill> running = fills.running(digest);
    if (running.isPresent()) {
      // A fill started by an earlier incarnation of this entity (before passivation) goes on;
      // the first waiter joins it too, where it would otherwise have started it.
      metrics.fillJoined(Math.min(1, waiters.size()));
      return onFillStarted(new FillStarted(running.get(), null));
    }
    List<LocateBlob> located = new ArrayList<>(locators);
    locators.clear();
    BlobReply absent = new BlobReply.BlobAbsent(selfUrl());
    if (waiters.isEmpty()) {
      // Only HEADs asked: nothing is stored, nothing fills, nothing is worth keeping in memory.
      passivateIfIdle();
      return settled(Effect().none().thenRun(() -> located.forEach(l -> l.replyTo().tell(absent))));
    }
    FetchBlob first = waiters.get(0);
    starting = true;
    context.pipeToSelf(fills.start(first.upstream(), first.repository(), digest), FillStarted::new);
    return Effect().none().thenRun(() -> located.forEach(l -> l.replyTo().tell(absent)));
  }

  private Effect<Event, State> onFillStarted(FillStarted started) {
    starting = false;
    if (started.error() != null && Failures.unwrap(started.error()) instanceof NoRoomToStore noRoom) {
      return failed(new BlobReply.BlobUncached(noRoom.getMessage()));
    }
    if (started.error() != null) {
      return failed(BlobReply.BlobFailure.of(started.error()));
    }
    BlobFill fill = started.fill();
    activeFill = fill;
    // The first waiter started the fill; the others arrived while it was starting.
    metrics.fillJoined(Math.max(0, waiters.size() - 1));
    context.pipeToSelf(fill.completion(), (stored, error) -> new FillEnded(fill, stored, error));
    BlobReply location = new BlobReply.BlobLocation(fill.size(), false, selfUrl());
    List<ActorRef<BlobReply>> answered = drainAll();
    return settled(Effect().none().thenRun(() -> answered.forEach(asker -> asker.tell(location))));
  }

  private Effect<Event, State> onFillEnded(FillEnded ended) {
    if (ended.fill() == activeFill) {
      activeFill = null;
    }
    if (ended.error() != null) {
      context.getLog().warn("Fill of {} failed: {}", digest, ended.error().toString());
      passivateIfIdle();
      return Effect().none();
    }
    return Effect().persist(new BlobStored(ended.stored().size(), System.currentTimeMillis()));
  }

  private Effect<Event, State> onIdle(Idle idle) {
    passivateIfIdle();
    return Effect().none();
  }

  private Effect<Event, State> onStop(Stop stop) {
    // Busy: answer what is in progress first; settled() stops the entity once it has.
    return passivation.stopNow(busy()) ? Effect().stop() : Effect().none();
  }

  /** Answers every waiting request with {@code failure}; nothing is left worth keeping in memory. */
  private Effect<Event, State> failed(BlobReply failure) {
    List<ActorRef<BlobReply>> answered = drainAll();
    passivateIfIdle();
    return settled(Effect().none().thenRun(() -> answered.forEach(asker -> asker.tell(failure))));
  }

  /** Stops after {@code effect} if a stop was deferred and nothing is in progress any more. */
  private Effect<Event, State> settled(EffectBuilder<Event, State> effect) {
    return passivation.deferredStopDue(busy()) ? effect.thenStop() : effect;
  }

  /** Asks the shard to stop this entity if it answers nothing and fills nothing now. */
  private void passivateIfIdle() {
    passivation.requestUnless(busy() || activeFill != null);
  }

  /** Whether a request is being answered: a store check, or a fill being started. */
  private boolean busy() {
    return checking || starting || !waiters.isEmpty() || !locators.isEmpty();
  }

  /** The fill in progress, unless it has failed (its FillEnded is then still on the way). */
  private BlobFill liveFill() {
    if (activeFill != null && activeFill.hasFailed()) {
      activeFill = null;
    }
    return activeFill;
  }

  private String selfUrl() {
    return fills.peers().directory().selfUrl();
  }

  private List<ActorRef<BlobReply>> drainAll() {
    List<ActorRef<BlobReply>> answered = new ArrayList<>();
    waiters.forEach(w -> answered.add(w.replyTo()));
    locators.forEach(l -> answered.add(l.replyTo()));
    waiters.clear();
    locators.clear();
    return answered;
  }
}
