package io.layercake.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import io.layercake.manifest.TagEntity;
import java.util.List;

/**
 * An event-sourced entity that persists the tag events it is given and replies once they are
 * stored: the journal write of a layercake entity without the entity's own work around it. Its
 * state is the number of events it holds.
 */
final class EventWriterEntity
    extends EventSourcedBehavior<EventWriterEntity.Command, TagEntity.Event, Long> {

  /** Commands; local only (the benchmark never shards the entity), so never serialized. */
  sealed interface Command {}

  /**
   * Persists {@code events} with one {@code persist} call (one atomic write) and replies with the
   * sequence number of the last one.
   */
  record Persist(List<TagEntity.Event> events, ActorRef<Long> replyTo) implements Command {}

  private final ActorContext<Command> context;

  private EventWriterEntity(ActorContext<Command> context, String persistenceId) {
    super(PersistenceId.ofUniqueId(persistenceId));
    this.context = context;
  }

  /** An entity persisting as {@code persistenceId} on the system's configured journal. */
  static Behavior<Command> create(String persistenceId) {
    return Behaviors.setup(context -> new EventWriterEntity(context, persistenceId));
  }

  @Override
  public Long emptyState() {
    return 0L;
  }

  @Override
  public CommandHandler<Command, TagEntity.Event, Long> commandHandler() {
    return newCommandHandlerBuilder().forAnyState().onCommand(Persist.class, this::onPersist).build();
  }

  @Override
  public EventHandler<Long, TagEntity.Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
  }

  private Effect<TagEntity.Event, Long> onPersist(Persist command) {
    return Effect().persist(command.events()).thenRun(count -> reply(command));
  }

  private void reply(Persist command) {
    command.replyTo().tell(lastSequenceNumber(context));
  }
}
