package io.layercake.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event log and the webhook: a tag that moves upstream is a tag.moved event with both digests,
 * streamed to a follower of GET /admin/events as it happens and resumable by offset; fills and
 * rmi are events too; the webhook gets each event once, as a CloudEvent, and after an outage of
 * the receiver gets what it missed.
 */
class EventsIntegrationTest {

  private static final String TOKEN = "events-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void aMovedTag_isStreamedToAFollower_andResumableByOffset_andDeliveredToTheWebhookOnce() throws Exception {
    List<JsonNode> received = new CopyOnWriteArrayList<>();
    AtomicBoolean down = new AtomicBoolean();
    AtomicInteger refusals = new AtomicInteger();
    HttpServer receiver = receiver(received, down, refusals);
    int port = receiver.getAddress().getPort();
    try (FakeRegistry hub = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, hub.url(), Map.of(
            "layercake.admin.token", TOKEN,
            "layercake.manifests.tag-ttl", "0s",
            "layercake.events.webhook.url", "http://127.0.0.1:" + port + "/hook",
            "layercake.events.webhook.min-backoff", "200ms",
            "layercake.events.webhook.max-backoff", "1s"))) {
      Image first = TestImage.singlePlatform(ImageFormat.OCI, 1, 300);
      Image second = TestImage.singlePlatform(ImageFormat.OCI, 2, 300);
      FakeImages.publish(hub, "library/app", "1", first);
      RegistryClient client = new RegistryClient(node.url());
      assertEquals(200, manifest(client).statusCode());
      for (String blob : first.blobDigests()) {
        assertEquals(200, client.get("/v2/library/app/blobs/" + blob).statusCode());
      }
      Await.until(Duration.ofSeconds(10), "fill events", () -> events(node, 1, "blob.filled").size() == 2);
      long from = nextOffset(node);

      LinkedBlockingQueue<String> followed = follow(node, from);
      FakeImages.publish(hub, "library/app", "1", second);
      assertEquals(200, manifest(client).statusCode());
      JsonNode streamed = nextEvent(followed, "tag.moved");
      assertEquals(from, streamed.path("offset").asLong(), "the first event after the offset asked for");
      assertEquals("docker-hub", streamed.path("upstream").asText());
      assertEquals("library/app", streamed.path("repository").asText());
      assertEquals("1", streamed.path("tag").asText());
      assertEquals(first.digest(), streamed.path("previous").asText());
      assertEquals(second.digest(), streamed.path("digest").asText());
      assertEquals("pull", streamed.path("reason").asText());

      Await.until(Duration.ofSeconds(10), "the webhook's delivery", () -> count(received, "tag.moved") == 1);
      JsonNode delivered = received.stream().filter(e -> e.path("type").asText().equals("io.layercake.tag.moved"))
          .findFirst().orElseThrow();
      assertEquals("1.0", delivered.path("specversion").asText());
      assertEquals(streamed.path("id").asText(), delivered.path("id").asText());
      assertEquals(second.digest(), delivered.path("data").path("digest").asText());
      assertEquals("docker-hub/library/app:1", delivered.path("subject").asText());

      // The receiver is down (503); the next move is retried until it is back, and arrives once.
      down.set(true);
      Image third = TestImage.singlePlatform(ImageFormat.OCI, 3, 300);
      FakeImages.publish(hub, "library/app", "1", third);
      assertEquals(200, manifest(client).statusCode());
      assertEquals(third.digest(), nextEvent(followed, "tag.moved").path("digest").asText());
      Await.until(Duration.ofSeconds(15), "two deliveries refused", () -> refusals.get() >= 2);
      down.set(false);
      Await.until(Duration.ofSeconds(15), "the retried delivery", () -> count(received, "tag.moved") == 2);
      Await.holds(Duration.ofSeconds(2), "each event delivered once", () -> count(received, "tag.moved") == 2);
      assertEquals(third.digest(), received.stream()
          .filter(e -> e.path("type").asText().equals("io.layercake.tag.moved"))
          .reduce((a, b) -> b).orElseThrow().path("data").path("digest").asText());

      // Resuming from an offset replays from there; follow=false ends after what is logged.
      List<JsonNode> replayed = events(node, from, "tag.moved");
      assertEquals(List.of(second.digest(), third.digest()), replayed.stream().map(e -> e.path("digest").asText()).toList());
      assertEquals(List.of(), events(node, nextOffset(node), null));
    } finally {
      receiver.stop(0);
    }
  }

  @Test
  void badOffsets_get400_andTheEndpointNeedsTheToken() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, hub.url(), Map.of("layercake.admin.token", TOKEN))) {
      for (String bad : List.of("-1", "x", "1.5", "99999999999999999999")) {
        HttpResponse<String> answer = admin(node, "/admin/events?follow=false&from=" + bad, TOKEN);
        assertEquals(400, answer.statusCode(), bad);
        assertTrue(answer.body().contains("NAME_INVALID"), answer.body());
      }
      assertEquals(400, admin(node, "/admin/events?follow=maybe", TOKEN).statusCode());
      assertEquals(401, admin(node, "/admin/events?follow=false", "wrong").statusCode());
      assertEquals(200, admin(node, "/admin/events?follow=false", TOKEN).statusCode());
    }
  }

  /** A webhook receiver that keeps the CloudEvents it takes, and answers 503 while {@code down}. */
  private static HttpServer receiver(List<JsonNode> received, AtomicBoolean down, AtomicInteger refusals)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      if (down.get()) {
        refusals.incrementAndGet();
        exchange.getRequestBody().readAllBytes();
        exchange.sendResponseHeaders(503, -1);
        exchange.close();
        return;
      }
      try (InputStream body = exchange.getRequestBody()) {
        if (exchange.getRequestHeaders().getFirst("Content-Type").startsWith("application/cloudevents+json")) {
          received.add(JSON.readTree(body));
        }
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.start();
    return server;
  }

  private static long count(List<JsonNode> received, String type) {
    return received.stream().filter(e -> e.path("type").asText().equals("io.layercake." + type)).count();
  }

  private static HttpResponse<byte[]> manifest(RegistryClient client) {
    return client.get("/v2/library/app/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
  }

  /** A follower of the event stream from {@code from}: its lines, as they come. */
  private static LinkedBlockingQueue<String> follow(TestNode node, long from) throws Exception {
    HttpResponse<Stream<String>> stream = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(node.url() + "/admin/events?from=" + from))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, stream.statusCode());
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> stream.body().forEach(lines::add), "events-follower");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static JsonNode nextEvent(LinkedBlockingQueue<String> lines, String type) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && !line.isBlank()) {
        JsonNode event = JSON.readTree(line);
        if (event.path("type").asText().equals(type)) {
          return event;
        }
      }
    }
    throw new AssertionError("no " + type + " event streamed within 10 s");
  }

  static List<JsonNode> events(TestNode node, long from, String type) {
    HttpResponse<String> answer;
    try {
      answer = admin(node, "/admin/events?follow=false&from=" + from, TOKEN);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertEquals(200, answer.statusCode(), answer.body());
    List<JsonNode> events = new ArrayList<>();
    for (String line : answer.body().split("\n")) {
      if (!line.isBlank()) {
        JsonNode event = read(line);
        if (type == null || event.path("type").asText().equals(type)) {
          events.add(event);
        }
      }
    }
    return events;
  }

  private static JsonNode read(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new IllegalStateException(line, e);
    }
  }

  private static long nextOffset(TestNode node) {
    List<JsonNode> all = events(node, 1, null);
    return all.isEmpty() ? 1 : all.get(all.size() - 1).path("offset").asLong() + 1;
  }

  private static HttpResponse<String> admin(TestNode node, String path, String token) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(node.url() + path))
        .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }
}
