package io.layercake.persistence;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import java.util.ArrayList;
import java.util.List;

/**
 * A test-only event-sourced entity: an append-only list of strings, persisted on whatever journal
 * and snapshot store the actor system configures.
 */
final class Ledger extends EventSourcedBehavior<Ledger.Command, Ledger.Appended, Ledger.State> {

  /** Marker for what is persisted; the test configuration binds it to jackson-cbor. */
  interface Data {}

  /** Messages the ledger accepts; local only, never serialized. */
  interface Command {}

  /** Persists one event per entry with persistAll and replies with the last sequence number. */
  record Append(List<String> entries, ActorRef<Long> replyTo) implements Command {}

  /** Replies with the recovered or current contents. */
  record Get(ActorRef<Contents> replyTo) implements Command {}

  /**
   * Persists batches of {@code batchSize} entries named {@code seq-<sequence number>}, one after
   * the other until the system stops, acknowledging each batch once it is stored.
   */
  record AppendForever(int batchSize, ActorRef<Acked> acks) implements Command {}

  /** A batch of {@link AppendForever} is stored up to {@code sequenceNr}. */
  record Acked(String persistenceId, long sequenceNr) {}

  /** The ledger's contents and the sequence number of its last event. */
  record Contents(List<String> entries, long lastSequenceNr) {}

  /** The only event: one entry was appended. */
  record Appended(String entry) implements Data {}

  /** The state, also the snapshot. */
  record State(List<String> entries) implements Data {
    State apply(Appended event) {
      List<String> next = new ArrayList<>(entries);
      next.add(event.entry());
      return new State(List.copyOf(next));
    }
  }

  private final ActorContext<Command> context;
  private final String persistenceId;
  private final RetentionCriteria retention;

  private Ledger(ActorContext<Command> context, String persistenceId, RetentionCriteria retention) {
    super(PersistenceId.ofUniqueId(persistenceId));
    this.context = context;
    this.persistenceId = persistenceId;
    this.retention = retention;
  }

  /** A ledger without snapshots. */
  static Behavior<Command> create(String persistenceId) {
    return create(persistenceId, RetentionCriteria.disabled());
  }

  /** A ledger that snapshots and deletes as {@code retention} says. */
  static Behavior<Command> create(String persistenceId, RetentionCriteria retention) {
    return Behaviors.setup(context -> new Ledger(context, persistenceId, retention));
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return retention;
  }

  @Override
  public CommandHandler<Command, Appended, State> commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(Append.class, this::onAppend)
        .onCommand(Get.class, this::onGet)
        .onCommand(AppendForever.class, this::onAppendForever)
        .build();
  }

  @Override
  public EventHandler<State, Appended> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Appended.class, State::apply).build();
  }

  private Effect<Appended, State> onAppend(Append command) {
    List<Appended> events = command.entries().stream().map(Appended::new).toList();
    return Effect()
        .persist(events)
        .thenRun(state -> command.replyTo().tell(lastSequenceNumber(context)));
  }

  private Effect<Appended, State> onGet(Get command) {
    return Effect()
        .none()
        .thenRun(state -> command.replyTo().tell(new Contents(state.entries(), lastSequenceNumber(context))));
  }

  private Effect<Appended, State> onAppendForever(AppendForever command) {
    long first = lastSequenceNumber(context) + 1;
    List<Appended> events = new ArrayList<>();
    for (long seqNr = first; seqNr < first + command.batchSize(); seqNr++) {
      events.add(new Appended("seq-" + seqNr));
    }
    long last = first + command.batchSize() - 1;
    return Effect()
        .persist(events)
        .thenRun(state -> acknowledgeAndContinue(command, last));
  }

  private void acknowledgeAndContinue(AppendForever command, long lastSequenceNr) {
    command.acks().tell(new Acked(persistenceId, lastSequenceNr));
    context.getSelf().tell(command);
  }
}
