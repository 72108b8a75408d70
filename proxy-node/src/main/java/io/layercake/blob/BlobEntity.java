package io.layercake.blob;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.layercake.cluster.ShardAllocation;
import io.layercake.metrics.NodeMetrics;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import io.layercake.CborSerializable;
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
 * the growing file. So N concurrent requests for a cold blob make one upstream GET.
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
  public record FetchBlob(String upstream, RepositoryName repository, ActorRef<BlobReply> replyTo)
      implements Command {}

  private record StoreChecked(Optional<StoredBlob> stored, Throwable error) implements Command {}

  private record FillStarted(BlobFill fill, Throwable error) implements Command {}

  private record FillEnded(BlobFill fill, StoredBlob stored, Throwable error) implements Command {}

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
            context -> create(Digest.parse(context.getEntityId()), fills))
        .withAllocationStrategy(ShardAllocation.rendezvous(system)));
  }

  /** The behaviour of the entity for {@code digest}. */
  public static Behavior<Command> create(Digest digest, BlobFills fills) {
    return Behaviors.setup(context -> new BlobEntity(context, digest, fills));
  }

  private final ActorContext<Command> context;
  private final Digest digest;
  private final BlobFills fills;
  private final NodeMetrics metrics;
  private final List<FetchBlob> waiters = new ArrayList<>();
  private BlobFill activeFill;

  private BlobEntity(ActorContext<Command> context, Digest digest, BlobFills fills) {
    super(PersistenceId.of(ENTITY_KEY.name(), digest.toString()));
    this.context = context;
    this.digest = digest;
    this.fills = fills;
    this.metrics = NodeMetrics.get(context.getSystem());
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public CommandHandler<Command, Event, State> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(FetchBlob.class, this::onFetchBlob)
        .onCommand(StoreChecked.class, this::onStoreChecked)
        .onCommand(FillStarted.class, this::onFillStarted)
        .onCommand(FillEnded.class, this::onFillEnded)
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(BlobStored.class, (state, event) -> new State(event.size(), event.storedAt()))
        .build();
  }

  private Effect<Event, State> onFetchBlob(FetchBlob command) {
    if (activeFill != null && activeFill.hasFailed()) {
      // Failed, and its FillEnded is still on the way: a retry must not be sent to it.
      activeFill = null;
    }
    if (activeFill != null) {
      metrics.fillJoined(1);
      return Effect().none().thenRun(() ->
          command.replyTo().tell(new BlobReply.BlobLocation(activeFill.size(), false, selfUrl())));
    }
    waiters.add(command);
    if (waiters.size() == 1) {
      context.pipeToSelf(
          CompletableFuture.supplyAsync(() -> fills.store().find(digest), fills.blockingExecutor()),
          StoreChecked::new);
    }
    return Effect().none();
  }

  private Effect<Event, State> onStoreChecked(State state, StoreChecked checked) {
    if (checked.error() != null) {
      return replyToWaiters(BlobReply.BlobFailure.of(checked.error()));
    }
    if (checked.stored().isPresent()) {
      StoredBlob stored = checked.stored().get();
      BlobReply location = new BlobReply.BlobLocation(stored.size(), true, selfUrl());
      if (state.size() == stored.size()) {
        return replyToWaiters(location);
      }
      // Stored while the journal did not hear of it (a crash between commit and persist):
      // record it now so the history is complete.
      List<FetchBlob> answered = drainWaiters();
      return Effect().persist(new BlobStored(stored.size(), System.currentTimeMillis()))
          .thenRun(() -> answered.forEach(w -> w.replyTo().tell(location)));
    }
    Optional<BlobFill> running = fills.running(digest);
    if (running.isPresent()) {
      // A fill started by an earlier incarnation of this entity (before passivation) goes on;
      // the first waiter joins it too, where it would otherwise have started it.
      metrics.fillJoined(1);
      return onFillStarted(new FillStarted(running.get(), null));
    }
    FetchBlob first = waiters.get(0);
    context.pipeToSelf(fills.start(first.upstream(), first.repository(), digest), FillStarted::new);
    return Effect().none();
  }

  private Effect<Event, State> onFillStarted(FillStarted started) {
    if (started.error() != null) {
      return replyToWaiters(BlobReply.BlobFailure.of(started.error()));
    }
    BlobFill fill = started.fill();
    activeFill = fill;
    // The first waiter started the fill; the others arrived while it was starting.
    metrics.fillJoined(Math.max(0, waiters.size() - 1));
    context.pipeToSelf(fill.completion(), (stored, error) -> new FillEnded(fill, stored, error));
    return replyToWaiters(new BlobReply.BlobLocation(fill.size(), false, selfUrl()));
  }

  private Effect<Event, State> onFillEnded(FillEnded ended) {
    if (ended.fill() == activeFill) {
      activeFill = null;
    }
    if (ended.error() != null) {
      context.getLog().warn("Fill of {} failed: {}", digest, ended.error().toString());
      return Effect().none();
    }
    return Effect().persist(new BlobStored(ended.stored().size(), System.currentTimeMillis()));
  }

  private String selfUrl() {
    return fills.peers().directory().selfUrl();
  }

  private Effect<Event, State> replyToWaiters(BlobReply reply) {
    List<FetchBlob> answered = drainWaiters();
    return Effect().none().thenRun(() -> answered.forEach(w -> w.replyTo().tell(reply)));
  }

  private List<FetchBlob> drainWaiters() {
    List<FetchBlob> answered = new ArrayList<>(waiters);
    waiters.clear();
    return answered;
  }
}
