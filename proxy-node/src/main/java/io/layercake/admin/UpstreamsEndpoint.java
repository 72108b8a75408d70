package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.UpstreamName;
import io.layercake.upstream.RateLimitStatus;
import io.layercake.upstream.UpstreamCredentials;
import io.layercake.upstream.UpstreamSettings;
import io.layercake.upstream.Upstreams;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /admin/upstreams}: each configured upstream, whom it is pulled as, and the pull limit
 * it last reported to this node ({@code ratelimit-*} on its manifest answers).
 */
record UpstreamsEndpoint(Upstreams upstreams) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest.of(request, HttpMethods.GET, Set.of());
    return CompletableFuture.completedFuture(AdminRequest.json(new AdminAnswers.Upstreams(
        upstreams.names().stream().map(this::describe).toList())));
  }

  private AdminAnswers.Upstream describe(UpstreamName name) {
    UpstreamSettings settings = upstreams.get(name).settings();
    RateLimitStatus limit = upstreams.get(name).rateLimit();
    return new AdminAnswers.Upstream(name.value(), upstreams.registryName(name), settings.url().toString(),
        settings.credentials().map(UpstreamCredentials::username).orElse(null),
        limit.limit().isPresent() ? limit.limit().getAsLong() : null,
        limit.remaining().isPresent() ? limit.remaining().getAsLong() : null,
        limit.window().map(Duration::toSeconds).orElse(null),
        limit.source().orElse(null),
        limit.observedAt().map(Instant::toEpochMilli).orElse(null),
        limit.isUnlimited());
  }
}
