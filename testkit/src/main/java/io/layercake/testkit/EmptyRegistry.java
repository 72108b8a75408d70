package io.layercake.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * An upstream that holds nothing: {@code /v2/} answers 200, every blob and manifest 404 with OCI
 * error JSON (BLOB_UNKNOWN, MANIFEST_UNKNOWN), and requests are only counted. For floods of
 * hundreds of thousands of requests, where {@link FakeRegistry}'s log of every request would cost
 * more than the system under test.
 */
public final class EmptyRegistry implements AutoCloseable {

  private static final byte[] BLOB_UNKNOWN = error("BLOB_UNKNOWN", "blob unknown to registry");
  private static final byte[] MANIFEST_UNKNOWN = error("MANIFEST_UNKNOWN", "manifest unknown");

  private final HttpServer server;
  private final ExecutorService executor;
  private final LongAdder blobRequests = new LongAdder();
  private final LongAdder manifestRequests = new LongAdder();

  private EmptyRegistry(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts one on a free loopback port. */
  public static EmptyRegistry start() {
    AtomicInteger next = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(8, runnable -> {
      Thread thread = new Thread(runnable, "empty-registry-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      EmptyRegistry registry = new EmptyRegistry(server, executor);
      server.createContext("/", registry::handle);
      server.setExecutor(executor);
      server.start();
      return registry;
    } catch (IOException e) {
      executor.shutdownNow();
      throw new UncheckedIOException("cannot start the empty registry", e);
    }
  }

  /** Its base URL, without a trailing slash. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Blob requests (GET and HEAD) answered so far. */
  public long blobRequests() {
    return blobRequests.sum();
  }

  /** Manifest requests (GET and HEAD) answered so far. */
  public long manifestRequests() {
    return manifestRequests.sum();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      boolean head = exchange.getRequestMethod().equals("HEAD");
      exchange.getResponseHeaders().add("Docker-Distribution-Api-Version", "registry/2.0");
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      if (path.equals("/v2/")) {
        send(exchange, 200, "{}".getBytes(StandardCharsets.US_ASCII), head);
      } else if (path.contains("/blobs/")) {
        blobRequests.increment();
        send(exchange, 404, BLOB_UNKNOWN, head);
      } else {
        manifestRequests.increment();
        send(exchange, 404, MANIFEST_UNKNOWN, head);
      }
    }
  }

  private static void send(HttpExchange exchange, int status, byte[] body, boolean head) throws IOException {
    exchange.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] error(String code, String message) {
    return ("{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\"}]}")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
