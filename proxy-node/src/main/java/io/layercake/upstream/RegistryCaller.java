package io.layercake.upstream;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.Uri;
import akka.pattern.Patterns;
import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.ErrorCode;
import io.layercake.transport.HttpTransport;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link RegistryEndpoint} against one upstream, the same way for every endpoint.
 *
 * <ol>
 *   <li>Send with the Authorization already known for the repository (a cached token).
 *   <li>Follow redirects up to {@code max-redirects}, resolving relative Locations, and send the
 *       Authorization only to the upstream's own origin: never to a CDN.
 *   <li>On a 401 from the upstream, answer its challenge (see {@link BearerTokenAuthenticator})
 *       and send once more; a second refusal is final.
 *   <li>Hand a 2xx to the endpoint, map anything else with {@link UpstreamErrors}.
 *   <li>Retry the whole call with exponential backoff (min..max) while it fails before any body
 *       byte: no connection, no headers within the response timeout, 502, 503, 504.
 * </ol>
 */
final class RegistryCaller {

  private static final Logger LOG = LoggerFactory.getLogger(RegistryCaller.class);

  /** The outcome of one request after its redirects: the response and where it came from. */
  private record Answer(HttpResponse response, URI from) {}

  private final ActorSystem<?> system;
  private final UpstreamSettings settings;
  private final HttpTransport http;
  private final BearerTokenAuthenticator authenticator;
  private final BiConsumer<UpstreamCall, HttpResponse> upstreamResponses;
  private final Clock clock;
  private final Origin upstream;
  private final Destinations destinations;
  private final NodeMetrics metrics;

  /**
   * {@code upstreamResponses} sees every response from the upstream's origin (rate limits), with
   * the kind of call it answers.
   */
  RegistryCaller(ActorSystem<?> system, UpstreamSettings settings, HttpTransport http,
      BearerTokenAuthenticator authenticator, BiConsumer<UpstreamCall, HttpResponse> upstreamResponses,
      Clock clock) {
    this.system = system;
    this.settings = settings;
    this.http = http;
    this.authenticator = authenticator;
    this.upstreamResponses = upstreamResponses;
    this.clock = clock;
    this.upstream = Origin.of(settings.url());
    this.destinations = new Destinations(settings);
    this.metrics = NodeMetrics.get(system);
  }

  /** Runs {@code endpoint}; fails only with {@link io.layercake.oci.OciException}. */
  <T> CompletionStage<T> call(RegistryEndpoint<T> endpoint) {
    // Clients read this description in error details: it names the upstream by its configured
    // name, never its URL or account (the log has those, at debug level).
    CallContext context = new CallContext(
        endpoint.action() + " from upstream " + settings.name(), http, settings.client());
    return UpstreamTiming.timed(metrics, UpstreamName.of(settings.name()), endpoint.kind(), () -> attempt(endpoint, context, 1));
  }

  private <T> CompletionStage<T> attempt(RegistryEndpoint<T> endpoint, CallContext context,
      int number) {
    int maxAttempts = settings.client().maxAttempts();
    return once(endpoint, context)
        .handle((value, error) -> {
          if (error == null) {
            return CompletableFuture.completedFuture(value);
          }
          Throwable cause = Failures.unwrap(error);
          if (!(cause instanceof RetryableUpstreamException)) {
            return CompletableFuture.<T>failedFuture(cause);
          }
          if (number >= maxAttempts) {
            return CompletableFuture.<T>failedFuture(maxAttempts == 1 ? cause
                : new RetryableUpstreamException(((RetryableUpstreamException) cause).detail()
                    .orElse(context.description())
                    + " (gave up after " + maxAttempts + " attempts)"));
          }
          Duration pause = backoff(number);
          LOG.debug("{}; attempt {} of {} in {} ms", cause.getMessage(), number + 1, maxAttempts,
              pause.toMillis());
          return Patterns.after(pause, system, () -> attempt(endpoint, context, number + 1));
        })
        .thenCompose(Function.identity());
  }

  /** {@code min-backoff} doubled per retry already made, capped at {@code max-backoff}. */
  private Duration backoff(int failedAttempts) {
    Duration pause = settings.client().minBackoff();
    for (int i = 1; i < failedAttempts && pause.compareTo(settings.client().maxBackoff()) < 0; i++) {
      pause = pause.multipliedBy(2);
    }
    return pause.compareTo(settings.client().maxBackoff()) > 0 ? settings.client().maxBackoff()
        : pause;
  }

  private <T> CompletionStage<T> once(RegistryEndpoint<T> endpoint, CallContext context) {
    URI target = URI.create(settings.url() + endpoint.pathAndQuery());
    Optional<HttpHeader> known = authenticator.cachedAuthorization(endpoint.repository());
    return follow(endpoint, context, target, known, settings.client().maxRedirects())
        .thenCompose(answer -> {
          if (answer.response().status().intValue() != 401
              || !Origin.of(answer.from()).equals(upstream)) {
            return finish(endpoint, context, answer);
          }
          http.discard(answer.response());
          return authenticator.answer(answer.response(), endpoint.repository(), known, context)
              .thenCompose(authorization -> authorization.isEmpty()
                  ? CompletableFuture.failedFuture(UpstreamErrors.denied(endpoint, context, 401))
                  : follow(endpoint, context, target, authorization,
                      settings.client().maxRedirects())
                      .thenCompose(second -> finish(endpoint, context, second)));
        });
  }

  private <T> CompletionStage<T> finish(RegistryEndpoint<T> endpoint, CallContext context,
      Answer answer) {
    // Akka counts 3xx as success too; only a 2xx is an answer an endpoint can read.
    if (answer.response().status().intValue() / 100 == 2) {
      return endpoint.handle(answer.response(), context);
    }
    return UpstreamErrors.fail(answer.response(), endpoint, context, clock);
  }

  private CompletionStage<Answer> follow(RegistryEndpoint<?> endpoint, CallContext context,
      URI target, Optional<HttpHeader> authorization, int redirectsLeft) {
    HttpRequest request = HttpRequest.create()
        .withMethod(endpoint.method())
        .withUri(Uri.create(target.toString(), Uri.RELAXED))
        .addHeaders(endpoint.headers());
    boolean toUpstream = Origin.of(target).equals(upstream);
    if (toUpstream && authorization.isPresent()) {
      request = request.addHeader(authorization.get());
    }
    return http.send(request)
        .exceptionally(error -> {
          LOG.debug("{} ({}): cannot reach {}: {}", context.description(), settings.url(), Origin.of(target).host(),
              Failures.describe(error));
          throw new RetryableUpstreamException(context.description() + ": cannot reach "
              + (toUpstream ? "the registry" : "the host it redirected to") + " ("
              + Failures.unwrap(error).getClass().getSimpleName() + ")");
        })
        .thenCompose(response -> {
          if (toUpstream) {
            upstreamResponses.accept(endpoint.kind(), response);
          }
          if (!isRedirect(response.status().intValue())) {
            return CompletableFuture.completedFuture(new Answer(response, target));
          }
          http.discard(response);
          URI next = redirectTarget(response, target, context);
          if (redirectsLeft == 0) {
            throw context.failure(ErrorCode.UNAVAILABLE,
                "more than max-redirects (" + settings.client().maxRedirects() + ") redirects");
          }
          return follow(endpoint, context, next, authorization, redirectsLeft - 1);
        });
  }

  private URI redirectTarget(HttpResponse response, URI from, CallContext context) {
    String location = response.getHeader("Location").map(HttpHeader::value).orElse(null);
    if (location == null) {
      throw context.failure(ErrorCode.UNAVAILABLE,
          "upstream answered " + response.status().intValue() + " without a Location");
    }
    URI next;
    try {
      next = from.resolve(location.trim());
    } catch (IllegalArgumentException e) {
      throw context.failure(ErrorCode.UNAVAILABLE, "upstream redirected to an invalid URL");
    }
    if (!Origin.isHttp(next)) {
      throw context.failure(ErrorCode.UNAVAILABLE, "upstream redirected to a non-HTTP URL");
    }
    Optional<String> refused = destinations.refusal(next);
    if (refused.isPresent()) {
      LOG.warn("{}: not following the redirect to {}: {}", context.description(), next, refused.get());
      throw context.failure(ErrorCode.UNAVAILABLE, "upstream redirected to a URL the mirror does not follow: "
          + refused.get());
    }
    return next;
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

}
