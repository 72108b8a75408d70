package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.Uri;
import akka.http.javadsl.model.headers.Authorization;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Failures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.transport.HttpTransport;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an upstream's 401 challenges: Docker Hub's bearer-token flow, and plain Basic.
 *
 * <p>Bearer: the challenge names a realm (a token service), a service and a scope. The token is
 * fetched from the realm, anonymously unless the realm is the upstream's own origin or listed in
 * {@code auth-realms}, and cached per scope until {@code expires_in} (60 s when absent) less a
 * margin. Concurrent requests for one scope share one token fetch. A token the upstream rejected
 * is dropped and fetched anew, once per request.
 *
 * <p>Basic: once the upstream asked for Basic and credentials are configured, every request to
 * it carries them.
 *
 * <p>Tokens and credentials are never logged and never put into an error.
 */
final class BearerTokenAuthenticator {

  /** Docker's default when a token response has no {@code expires_in}. */
  static final Duration DEFAULT_LIFETIME = Duration.ofSeconds(60);

  /** A token is renewed this fraction of its lifetime early, so it never expires in flight. */
  private static final Logger LOG = LoggerFactory.getLogger(BearerTokenAuthenticator.class);
  private static final int MARGIN_DIVISOR = 10;
  private static final Duration MAX_MARGIN = Duration.ofSeconds(30);
  private record BearerToken(String value, Instant renewAt) {
    HttpHeader header() {
      return Authorization.oauth2(value);
    }
  }

  private final UpstreamSettings settings;
  private final Destinations destinations;
  private final HttpTransport http;
  private final Clock clock;
  private final NodeMetrics metrics;
  private final Map<String, CompletableFuture<BearerToken>> tokens = new ConcurrentHashMap<>();
  private final AtomicBoolean basicChallenged = new AtomicBoolean();

  BearerTokenAuthenticator(UpstreamSettings settings, HttpTransport http, Clock clock, NodeMetrics metrics) {
    this.settings = settings;
    this.destinations = new Destinations(settings);
    this.http = http;
    this.clock = clock;
    this.metrics = metrics;
  }

  /** The Authorization to send up front for {@code repository}, if one is known to be wanted. */
  Optional<HttpHeader> cachedAuthorization(RepositoryName repository) {
    if (basicChallenged.get() && settings.credentials().isPresent()) {
      return Optional.of(basic(settings.credentials().get()));
    }
    CompletableFuture<BearerToken> token = tokens.get(pullScope(repository));
    if (token == null || !token.isDone() || token.isCompletedExceptionally()) {
      return Optional.empty();
    }
    BearerToken value = token.join();
    return clock.instant().isBefore(value.renewAt()) ? Optional.of(value.header()) : Optional.empty();
  }

  /**
   * The Authorization that answers the 401 {@code response} (whose entity the caller discards),
   * or empty when it cannot be answered: no challenge this client speaks, or Basic without
   * credentials, or credentials already refused. {@code rejected} is what the refused request
   * carried.
   */
  CompletionStage<Optional<HttpHeader>> answer(HttpResponse response, RepositoryName repository,
      Optional<HttpHeader> rejected, CallContext context) {
    Optional<HttpChallenge> bearer = challenge(response, "Bearer");
    if (bearer.isPresent()) {
      return bearerToken(bearer.get(), repository, rejected, context)
          .thenApply(token -> Optional.of(token.header()));
    }
    Optional<HttpChallenge> basicChallenge = challenge(response, "Basic");
    boolean basicRefused = rejected.map(header -> header.value().startsWith("Basic ")).orElse(false);
    if (basicChallenge.isPresent() && settings.credentials().isPresent() && !basicRefused) {
      basicChallenged.set(true);
      return CompletableFuture.completedFuture(Optional.of(basic(settings.credentials().get())));
    }
    return CompletableFuture.completedFuture(Optional.empty());
  }

  private CompletionStage<BearerToken> bearerToken(HttpChallenge challenge,
      RepositoryName repository, Optional<HttpHeader> rejected, CallContext context) {
    Map<String, String> params = challenge.getParams();
    String realmText = challenge.realm() != null ? challenge.realm() : params.get("realm");
    URI realm;
    try {
      realm = realmText == null ? null : new URI(realmText);
    } catch (URISyntaxException e) {
      realm = null;
    }
    if (realm == null || !Origin.isHttp(realm)) {
      return CompletableFuture.failedFuture(context.failure(ErrorCode.UNAVAILABLE,
          "upstream's bearer challenge names no usable realm"));
    }
    Optional<String> refused = destinations.refusal(realm);
    if (refused.isPresent()) {
      LOG.warn("{}: not asking the token realm {} the upstream named: {}", context.description(), realm,
          refused.get());
      return CompletableFuture.failedFuture(context.failure(ErrorCode.UNAVAILABLE,
          "upstream's bearer challenge names a token realm the mirror does not ask: " + refused.get()));
    }
    String scope = Optional.ofNullable(params.get("scope")).orElse(pullScope(repository));
    Optional<String> service = Optional.ofNullable(params.get("service"));
    String rejectedValue = rejected.map(HttpHeader::value).orElse("");
    CompletableFuture<BearerToken> fresh = new CompletableFuture<>();
    CompletableFuture<BearerToken> chosen = tokens.compute(scope,
        (key, existing) -> usable(existing, rejectedValue) ? existing : fresh);
    if (chosen == fresh) {
      // One entry per repository ever pulled would grow without bound: drop the expired ones
      // whenever a new token is fetched, which is at most once per scope per token lifetime.
      tokens.values().removeIf(this::expired);
      URI realmUri = realm;
      fetch(realmUri, service, scope, context).whenComplete((token, error) -> {
        if (error != null) {
          tokens.remove(scope, fresh);
          fresh.completeExceptionally(Failures.unwrap(error));
        } else {
          fresh.complete(token);
        }
      });
    }
    return chosen;
  }

  private boolean expired(CompletableFuture<BearerToken> token) {
    return token.isDone() && !token.isCompletedExceptionally()
        && !clock.instant().isBefore(token.join().renewAt());
  }

  /** Whether a cached token may serve: in flight, or issued, live, and not just refused. */
  private boolean usable(CompletableFuture<BearerToken> existing, String rejectedValue) {
    if (existing == null || existing.isCompletedExceptionally()) {
      return false;
    }
    if (!existing.isDone()) {
      return true;
    }
    BearerToken token = existing.join();
    return clock.instant().isBefore(token.renewAt())
        && !token.header().value().equals(rejectedValue);
  }

  private CompletionStage<BearerToken> fetch(URI realm, Optional<String> service, String scope,
      CallContext context) {
    StringBuilder query = new StringBuilder(realm.getRawQuery() == null ? "" : realm.getRawQuery());
    service.ifPresent(value -> appendParameter(query, "service", value));
    appendParameter(query, "scope", scope);
    String base = realm.toString();
    int queryStart = base.indexOf('?');
    String url = (queryStart < 0 ? base : base.substring(0, queryStart)) + "?" + query;
    boolean withCredentials = settings.credentials().isPresent() && mayReceiveCredentials(realm);
    HttpRequest anonymous = HttpRequest.create().withUri(Uri.create(url, Uri.RELAXED));
    HttpRequest request = withCredentials
        ? anonymous.addHeader(basic(settings.credentials().get())) : anonymous;
    // Named without host, path or account: these words reach clients in error details.
    String who = withCredentials ? "the configured credentials" : "anonymous access";
    String where = "its token service";
    return UpstreamTiming.timed(metrics, UpstreamName.of(settings.name()), UpstreamCall.TOKEN, () -> http.send(request)
        .exceptionally(error -> {
          LOG.debug("{}: cannot reach the token service {}: {}", context.description(), realm,
              Failures.describe(error));
          throw new RetryableUpstreamException(context.description() + ": cannot reach " + where + " ("
              + Failures.unwrap(error).getClass().getSimpleName() + ")");
        })
        .thenCompose(response -> {
          int status = response.status().intValue();
          if (status == 200) {
            return context.readDocument(response.entity(), ErrorCode.UNAVAILABLE)
                .thenApply(body -> parse(body, where, context));
          }
          http.discard(response);
          throw tokenFailure(response, status, where, who, context);
        }));
  }

  private BearerToken parse(byte[] body, String where, CallContext context) {
    JsonNode json;
    try {
      json = Json.MAPPER.readTree(body);
    } catch (IOException e) {
      throw context.failure(ErrorCode.UNAVAILABLE, where + " sent a response that is not JSON");
    }
    String token = json.path("token").asText("");
    if (token.isEmpty()) {
      token = json.path("access_token").asText("");
    }
    if (token.isEmpty()) {
      throw context.failure(ErrorCode.UNAVAILABLE, where + " sent no token");
    }
    long seconds = json.path("expires_in").asLong(0);
    Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_LIFETIME;
    Duration margin = lifetime.dividedBy(MARGIN_DIVISOR);
    if (margin.compareTo(MAX_MARGIN) > 0) {
      margin = MAX_MARGIN;
    }
    return new BearerToken(token, clock.instant().plus(lifetime).minus(margin));
  }

  private OciException tokenFailure(HttpResponse response, int status, String where, String who,
      CallContext context) {
    if (status == 401 || status == 403) {
      return context.failure(ErrorCode.DENIED, where + " refused " + who + " (" + status + ")");
    }
    if (status == 429) {
      return UpstreamErrors.tooManyRequests(response, context, clock);
    }
    if (status == 502 || status == 503 || status == 504) {
      return new RetryableUpstreamException(
          context.description() + ": " + where + " answered " + status);
    }
    return context.failure(ErrorCode.UNAVAILABLE, where + " answered " + status);
  }

  /**
   * Whether credentials may go to {@code realm}: the upstream's own origin, or a realm listed in
   * {@code auth-realms} (same origin and path). Anything else is a stranger who named itself in a
   * challenge.
   */
  private boolean mayReceiveCredentials(URI realm) {
    if (Origin.of(realm).equals(Origin.of(settings.url()))) {
      return true;
    }
    return settings.authRealms().stream().anyMatch(allowed ->
        Origin.of(allowed).equals(Origin.of(realm)) && path(allowed).equals(path(realm)));
  }

  private static String path(URI uri) {
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  private static Optional<HttpChallenge> challenge(HttpResponse response, String scheme) {
    for (WWWAuthenticate header : response.getHeaders(WWWAuthenticate.class)) {
      for (HttpChallenge challenge : header.getChallenges()) {
        if (challenge.scheme().equalsIgnoreCase(scheme)) {
          return Optional.of(challenge);
        }
      }
    }
    return Optional.empty();
  }

  private static HttpHeader basic(UpstreamCredentials credentials) {
    return Authorization.basic(credentials.username(), credentials.password());
  }

  private static String pullScope(RepositoryName repository) {
    return "repository:" + repository + ":pull";
  }

  private static void appendParameter(StringBuilder query, String name, String value) {
    if (query.length() > 0) {
      query.append('&');
    }
    query.append(name).append('=').append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

}
