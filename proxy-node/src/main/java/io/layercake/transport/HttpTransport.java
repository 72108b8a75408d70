package io.layercake.transport;

import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.HttpsConnectionContext;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.settings.ClientConnectionSettings;
import akka.http.javadsl.settings.ConnectionPoolSettings;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.duration.FiniteDuration;

/**
 * The transport under every outgoing HTTP call, to upstream registries and to other nodes: Akka
 * HTTP's pooled {@code singleRequest} with the pool shaped by {@link ConnectionSettings}, plus the
 * response timeout Akka's pool lacks.
 *
 * <p>Akka's own retries are off ({@code max-retries = 0}): the caller retries with backoff and
 * counts attempts itself, so a test can tell exactly how often upstream was asked. Every host
 * (the registry, its token service, its CDN, a peer) gets its own pool with these settings.
 *
 * <p>Upstream calls and node-to-node calls need different settings: a proxied blob holds its
 * pooled connection for the whole transfer, so Akka's default pool (four connections, a
 * one-second entity subscription timeout) would not do for either.
 */
public final class HttpTransport {

  private static final Logger LOG = LoggerFactory.getLogger(HttpTransport.class);

  private final ActorSystem<?> system;
  private final Http http;
  private final HttpsConnectionContext https;
  private final ConnectionPoolSettings pool;
  private final Materializer materializer;
  private final Duration responseTimeout;

  /** A transport whose pools and timeouts follow {@code client}, with the JDK's trusted CAs. */
  public HttpTransport(ActorSystem<?> system, ConnectionSettings client) {
    this(system, client, Http.get(system).defaultClientHttpsContext());
  }

  /** The same, with {@code https} deciding how TLS connections are made (whom to trust, as whom). */
  public HttpTransport(ActorSystem<?> system, ConnectionSettings client, HttpsConnectionContext https) {
    this.system = system;
    this.http = Http.get(system);
    this.https = https;
    this.materializer = Materializer.matFromSystem(system);
    this.responseTimeout = client.responseTimeout();
    // The connection's own idle timeout is only a backstop for dead keep-alive connections: a
    // stalled body is caught by the body stream's idle check and a slow response by the response
    // timeout, whose errors say what happened. The margin lets those fire first.
    Duration longer = client.idleTimeout().compareTo(client.responseTimeout()) > 0
        ? client.idleTimeout() : client.responseTimeout();
    this.pool = ConnectionPoolSettings.create(system.classicSystem())
        .withMaxConnections(client.maxConnections())
        .withMaxOpenRequests(client.maxOpenRequests())
        .withMaxRetries(0)
        .withResponseEntitySubscriptionTimeout(finite(client.bodySubscriptionTimeout()))
        .withConnectionSettings(ClientConnectionSettings.create(system.classicSystem())
            .withConnectingTimeout(finite(client.connectTimeout()))
            .withIdleTimeout(finite(longer.plus(client.idleTimeout()))));
  }

  /**
   * Sends {@code request}; fails with a {@link TimeoutException} when no response headers arrive
   * within the response timeout. A response that arrives after that is drained, so it cannot hold
   * its pool slot.
   */
  public CompletionStage<HttpResponse> send(HttpRequest request) {
    if (LOG.isDebugEnabled()) {
      // Where, never what: a CDN's path and query are a signed credential.
      LOG.debug("Sending {} to {}://{}", request.method().value(), request.getUri().scheme(),
          request.getUri().host().address() + ":" + request.getUri().port());
    }
    CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    Cancellable timer = system.classicSystem().scheduler().scheduleOnce(
        responseTimeout,
        () -> result.completeExceptionally(new TimeoutException(
            "no response within " + responseTimeout.toMillis() + " ms")),
        system.executionContext());
    http.singleRequest(request, https, pool, system.classicSystem().log())
        .whenComplete((response, error) -> {
          timer.cancel();
          boolean delivered = error == null ? result.complete(response)
              : result.completeExceptionally(error);
          if (!delivered && response != null) {
            discard(response);
          }
        });
    return result;
  }

  /** Releases a response whose body nobody will read. */
  public void discard(HttpResponse response) {
    response.discardEntityBytes(materializer);
  }

  /** Closes the connection under a body too large to drain, instead of reading it. */
  public void cancel(HttpEntity entity) {
    entity.getDataBytes().runWith(Sink.cancelled(), materializer);
  }

  /**
   * Reads a small body whole. Fails with {@code akka.http.scaladsl.model.EntityStreamSizeException}
   * beyond {@code maxBytes}; a declared length over the cap closes the connection without reading.
   */
  public CompletionStage<byte[]> readSmall(HttpEntity entity, long maxBytes) {
    OptionalLong declared = entity.getContentLengthOption();
    if (declared.isPresent() && declared.getAsLong() > maxBytes) {
      cancel(entity);
      return CompletableFuture.failedFuture(new BodyTooLargeException(declared.getAsLong(), maxBytes));
    }
    return entity.withSizeLimit(maxBytes)
        .toStrict(responseTimeout.toMillis(), maxBytes, materializer)
        .thenApply(strict -> strict.getData().toArray());
  }

  /** A body over the cap for documents read whole. */
  public static final class BodyTooLargeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long size, long maxBytes) {
      super("body of " + size + " bytes exceeds the limit of " + maxBytes + " bytes");
    }
  }

  private static FiniteDuration finite(Duration duration) {
    return FiniteDuration.create(duration.toNanos(), TimeUnit.NANOSECONDS);
  }
}
