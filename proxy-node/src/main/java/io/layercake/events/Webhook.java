package io.layercake.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Json;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * One thread delivers the events one at a time, in order, each as a CloudEvents 1.0 JSON
 * document (structured mode, application/cloudevents+json). A delivery that fails (no connection,
 * a timeout, 5xx, 408 or 429) is retried, after min-backoff and then twice as long each time up to
 * max-backoff, until the receiver takes it: a receiver that is down for an hour gets that hour's
 * events when it is back. Any other answer (a 4xx: the receiver refuses the event) drops the event
 * with a log line, since sending it again would be refused again. The queue is bounded so that a
 * receiver gone for good cannot hold the node's memory: past queue-size, new events are dropped and
 * counted; the event log (GET /admin/events) still has them. The id is the event's own, so a
 * receiver that got an event whose answer was lost can deduplicate the retry.
 */

/** Delivers events to the operator's webhook. */
final class Webhook implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Webhook.class);
  private static final String CONTENT_TYPE = "application/cloudevents+json; charset=utf-8";

  private final EventSettings.WebhookSettings settings;
  private final BlockingQueue<CacheEvent> queue;
  private final HttpClient client;
  private final Thread sender;
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  private Webhook(EventSettings.WebhookSettings settings) {
    this.settings = settings;
    this.queue = new ArrayBlockingQueue<>(settings.queueSize());
    this.client = HttpClient.newBuilder().connectTimeout(settings.timeout())
        .followRedirects(HttpClient.Redirect.NEVER).build();
    this.sender = new Thread(this::deliverAll, "layercake-webhook");
    sender.setDaemon(true);
  }

  /** Starts delivering to the receiver {@code settings} names. */
  static Webhook start(EventSettings.WebhookSettings settings) {
    Webhook webhook = new Webhook(settings);
    webhook.sender.start();
    LOG.info("Delivering events to the webhook at {}", settings.shown());
    return webhook;
  }

  /** Queues {@code event} for delivery, or drops it if the queue is full. */
  void offer(CacheEvent event) {
    if (!queue.offer(event)) {
      long count = dropped.incrementAndGet();
      if (count == 1 || count % 1000 == 0) {
        LOG.warn("The webhook at {} is {} events behind: {} events dropped so far (they stay in GET /admin/events)",
            settings.shown(), settings.queueSize(), count);
      }
    }
  }

  /** Events dropped because the queue was full. */
  long dropped() {
    return dropped.get();
  }

  @Override
  public void close() {
    closed = true;
    sender.interrupt();
  }

  private void deliverAll() {
    try {
      while (!closed) {
        CacheEvent event = queue.take();
        deliver(event);
      }
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt();
    }
  }

  /** Sends {@code event} until the receiver takes or refuses it. */
  private void deliver(CacheEvent event) throws InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(settings.url()).timeout(settings.timeout())
        .header("Content-Type", CONTENT_TYPE)
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(cloudEvent(event))));
    if (!settings.token().isEmpty()) {
      request.header("Authorization", "Bearer " + settings.token());
    }
    Duration backoff = settings.minBackoff();
    for (int attempt = 1; !closed; attempt++) {
      String failure;
      try {
        int status = client.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (status / 100 == 2) {
          return;
        }
        if (status / 100 == 4 && status != 408 && status != 429) {
          LOG.warn("The webhook at {} refused event {} ({}) with {}: not sent again", settings.shown(), event.id(),
              event.type(), status);
          return;
        }
        failure = "answered " + status;
      } catch (IOException e) {
        failure = e.toString();
      }
      if (attempt == 1 || attempt % 10 == 0) {
        LOG.warn("Delivering event {} to the webhook at {} failed ({}, attempt {}); retrying in {} s", event.id(),
            settings.shown(), failure, attempt, backoff.toSeconds());
      }
      Thread.sleep(backoff.toMillis());
      backoff = backoff.multipliedBy(2).compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff()
          : backoff.multipliedBy(2);
    }
  }

  /** The event as a CloudEvents 1.0 structured-mode document, the event itself as its data. */
  static ObjectNode cloudEvent(CacheEvent event) {
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("specversion", "1.0");
    json.put("id", event.id());
    json.put("source", event.node() == null ? "layercake" : event.node());
    json.put("type", "io.layercake." + event.type());
    json.put("subject", event.tag() != null ? event.upstream() + "/" + event.repository() + ":" + event.tag()
        : event.digest());
    json.put("time", event.time());
    json.put("datacontenttype", "application/json");
    ObjectNode data = Json.MAPPER.valueToTree(event);
    data.remove("offset");
    json.set("data", data);
    return json;
  }
}
