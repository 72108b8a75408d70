package io.layercake.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.metrics.NodeMetrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code GET /metrics}: this node's metrics in the Prometheus text format, or in OpenMetrics when
 * the scraper's Accept header asks for it (Prometheus does, and then reads exemplar-free
 * OpenMetrics the same way). Unauthenticated, as Prometheus exporters are: it shows counts,
 * sizes and latencies, never a name, a digest, a credential or a token, so operators may leave it
 * open inside their network or firewall it.
 */
record MetricsEndpoint(NodeMetrics metrics, Executor blockingExecutor) {

  /** The current scrape, rendered on the blocking dispatcher: the JVM metrics read management beans. */
  CompletionStage<HttpResponse> serve(HttpRequest request) {
    String accept = request.getHeader("Accept").map(HttpHeader::value).orElse(null);
    return CompletableFuture.supplyAsync(() -> {
      NodeMetrics.Exposition exposition = metrics.expose(accept);
      return HttpResponse.create().withEntity(
          HttpEntities.create(ContentTypes.parse(exposition.contentType()), exposition.body()));
    }, blockingExecutor);
  }
}
