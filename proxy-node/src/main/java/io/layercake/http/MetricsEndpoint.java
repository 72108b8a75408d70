package io.layercake.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.metrics.NodeMetrics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * {@code GET /metrics}: this node's metrics in the Prometheus text format. Unauthenticated, as
 * Prometheus exporters are: it shows counts, sizes and latencies, never a name, a digest, a
 * credential or a token, so operators may leave it open inside their network or firewall it.
 */
final class MetricsEndpoint {

  private static final ContentType CONTENT_TYPE = ContentTypes.parse(NodeMetrics.contentType());

  private final NodeMetrics metrics;
  private final Executor blockingExecutor;

  MetricsEndpoint(NodeMetrics metrics, Executor blockingExecutor) {
    this.metrics = metrics;
    this.blockingExecutor = blockingExecutor;
  }

  /** The current scrape; rendered on the blocking dispatcher, since store usage scans the index. */
  CompletionStage<HttpResponse> serve() {
    return CompletableFuture.supplyAsync(() -> HttpResponse.create().withEntity(
        HttpEntities.create(CONTENT_TYPE, metrics.scrape().getBytes(StandardCharsets.UTF_8))),
        blockingExecutor);
  }
}
