package io.layercake.events;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * An event happens on one node (the tag's owner finds it moved, a fill commits, an eviction
 * deletes) and is published there: it goes into that node's log, onto the cluster's events topic
 * (Akka's distributed pub-sub), and to the webhook. Every other node hears it on the topic and logs
 * it too, so GET /admin/events on any node streams the whole cluster's events. Only the node it
 * happened on delivers it to the webhook: one delivery per event, however many nodes there are.
 * The topic is at most once: a node that was down or unreachable when an event was published does
 * not have it in its log (the node it happened on does).
 */

/** Where the node's events go: its log, the other nodes, and the webhook. */
public final class CacheEvents {

  private static final Logger LOG = LoggerFactory.getLogger(CacheEvents.class);

  private final EventLog log;
  private final ActorRef<Topic.Command<CacheEvent>> topic;
  private final Optional<Webhook> webhook;
  private final String node;
  private final Clock clock;

  private CacheEvents(EventLog log, ActorRef<Topic.Command<CacheEvent>> topic, Optional<Webhook> webhook,
      String node, Clock clock) {
    this.log = log;
    this.topic = topic;
    this.webhook = webhook;
    this.node = node;
    this.clock = clock;
  }

  /**
   * Starts the events of the node running {@code system}, whose advertised URL is {@code node}:
   * joins the cluster's topic and starts the webhook if {@code settings} has one.
   */
  public static CacheEvents start(ActorSystem<?> system, EventLog log, EventSettings settings, String node,
      Clock clock) {
    ActorRef<Topic.Command<CacheEvent>> topic =
        system.systemActorOf(Topic.create(CacheEvent.class, "layercake-events"), "events-topic",
            Props.empty());
    ActorRef<CacheEvent> listener = system.systemActorOf(hearing(log, node), "events-listener",
        Props.empty());
    topic.tell(Topic.subscribe(listener));
    Optional<Webhook> webhook = settings.webhook().map(Webhook::start);
    system.getWhenTerminated().thenRun(() -> webhook.ifPresent(Webhook::close));
    return new CacheEvents(log, topic, webhook, node, clock);
  }

  /** Logs the other nodes' events; this node's own were logged when published. */
  private static Behavior<CacheEvent> hearing(EventLog log, String self) {
    return Behaviors.receive(CacheEvent.class).onMessage(CacheEvent.class, event -> {
      if (!self.equals(event.node())) {
        appendQuietly(log, event);
      }
      return Behaviors.same();
    }).build();
  }

  /** Publishes an event that happened on this node. */
  public void publish(CacheEvent event) {
    CacheEvent here = event.on(node);
    appendQuietly(log, here);
    topic.tell(Topic.publish(here));
    webhook.ifPresent(hook -> hook.offer(here));
  }

  /** Now, as events say it. */
  public String now() {
    return Instant.now(clock).toString();
  }

  /** This node's log. */
  public EventLog log() {
    return log;
  }

  private static void appendQuietly(EventLog log, CacheEvent event) {
    try {
      log.append(event);
    } catch (RuntimeException e) {
      // A full or failing disk must not fail the fill, tag or eviction that the event is about.
      LOG.warn("Event {} ({}) not logged: {}", event.id(), event.type(), e.getMessage());
    }
  }
}
