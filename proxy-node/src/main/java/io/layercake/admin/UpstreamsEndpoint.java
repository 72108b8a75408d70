package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.Futures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.cluster.PeerClient;
import io.layercake.upstream.RateLimitStatus;
import io.layercake.upstream.SpentPulls;
import io.layercake.upstream.UpstreamCredentials;
import io.layercake.upstream.UpstreamRegistry;
import io.layercake.upstream.UpstreamSettings;
import io.layercake.upstream.Upstreams;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /admin/upstreams}: each configured upstream, whom it is pulled as, the pull limit it
 * last reported to this node ({@code ratelimit-*} on its manifest answers), the state of its
 * budget, and the manifest GETs every node counted against it, by kind.
 */
record UpstreamsEndpoint(Upstreams upstreams, PeerClient peers) {

  /** A node's counts are a few numbers per upstream. */
  private static final long MAX_PART_BYTES = 64 * 1024;

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest.of(request, HttpMethods.GET, Set.of());
    List<CompletionStage<Optional<byte[]>>> parts = peers.directory().peerUrls().stream()
        .map(peer -> peers.getSmall(peer, PeerClient.PULLS_PATH, MAX_PART_BYTES)).toList();
    return Futures.all(parts).thenApply(answers -> {
      SpentPulls spent = SpentPulls.of(upstreams);
      int nodes = 1;
      for (Optional<byte[]> answer : answers) {
        Optional<SpentPulls> part = answer.flatMap(UpstreamsEndpoint::read);
        if (part.isPresent()) {
          spent = spent.plus(part.get());
          nodes++;
        }
      }
      SpentPulls cluster = spent;
      return AdminRequest.json(new AdminAnswers.Upstreams(nodes,
          upstreams.names().stream().map(name -> describe(name, cluster)).toList()));
    });
  }

  private static Optional<SpentPulls> read(byte[] json) {
    try {
      return Optional.of(Json.MAPPER.readValue(json, SpentPulls.class));
    } catch (IOException unreadable) {
      return Optional.empty();
    }
  }

  private AdminAnswers.Upstream describe(UpstreamName name, SpentPulls spent) {
    UpstreamRegistry upstream = upstreams.get(name);
    UpstreamSettings settings = upstream.settings();
    RateLimitStatus limit = upstream.rateLimit();
    Optional<Instant> backingOff = upstream.backingOffUntil();
    String budget = upstream.budgetState().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    Map<String, Long> byKind = new LinkedHashMap<>();
    spent.of(name.value()).forEach((kind, count) -> byKind.put(kind.name().toLowerCase(Locale.ROOT), count));
    return new AdminAnswers.Upstream(name.value(), upstreams.registryName(name), settings.url().toString(),
        settings.credentials().map(UpstreamCredentials::username).orElse(null),
        limit.limit().isPresent() ? limit.limit().getAsLong() : null,
        limit.remaining().isPresent() ? limit.remaining().getAsLong() : null,
        limit.window().map(Duration::toSeconds).orElse(null),
        limit.source().orElse(null),
        limit.observedAt().map(Instant::toEpochMilli).orElse(null),
        limit.window().flatMap(window -> limit.observedAt().map(at -> at.plus(window).toEpochMilli())).orElse(null),
        limit.isUnlimited(), budget, backingOff.map(Instant::toEpochMilli).orElse(null), byKind);
  }
}
