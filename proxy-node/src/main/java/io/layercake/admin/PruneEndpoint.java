package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.eviction.ClusterCache;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /admin/prune[?all=true][&until=24h][&reference=GLOB...][&dry-run=true]}: see
 * {@link ClusterCache#prune} for what is removed.
 */
record PruneEndpoint(ClusterCache cache) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.POST, Set.of("all", "until", "reference", "dry-run"));
    return cache.prune(query.flag("all"), query.until().orElse(null), query.references(), query.flag("dry-run"))
        .thenApply(AdminRequest::json);
  }
}
