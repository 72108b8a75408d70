package io.layercake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.PrometheusText;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The node's metrics as a scraper reads them, checked by the strict test parser. */
class NodeMetricsTest {

  private static final List<String> REASONS = List.of("size", "not-owner", "rmi");

  private static double corruptions(NodeMetrics metrics, String foundBy) {
    return PrometheusText.parse(metrics.scrape()).value("layercake_blob_corruptions_total", "found_by", foundBy);
  }

  @Test
  void blobCorrupted_none_everyCheckExportedAtZero() {
    NodeMetrics metrics = new NodeMetrics();

    for (String check : NodeMetrics.CORRUPTION_CHECKS) {
      assertEquals(0.0, corruptions(metrics, check), check);
    }
  }

  @Test
  void blobCorrupted_eachCheck_countedUnderItsLabel() {
    NodeMetrics metrics = new NodeMetrics();

    metrics.blobCorrupted("recovery");
    metrics.blobCorrupted("scrub");
    metrics.blobCorrupted("scrub");

    assertEquals(1.0, corruptions(metrics, "recovery"));
    assertEquals(2.0, corruptions(metrics, "scrub"));
    assertEquals(0.0, corruptions(metrics, "serve"));
  }

  @Test
  void blobCorrupted_unknownCheck_throws() {
    assertThrows(IllegalArgumentException.class, () -> new NodeMetrics().blobCorrupted("client-input"));
  }

  @Test
  void evictionReasons_fresh_exportedAtZeroAndNoCap() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.evictionReasons(REASONS);

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    for (String reason : REASONS) {
      assertEquals(0, text.value("layercake_evictions_total", "reason", reason));
      assertEquals(0, text.value("layercake_evicted_bytes_total", "reason", reason));
    }
    assertTrue(text.samples("layercake_store_max_bytes").isEmpty());
    assertFalse(metrics.storeCap().isPresent());
  }

  @Test
  void evictedAndCap_areExported() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.evictionReasons(REASONS);
    metrics.evicted("size", 1000);
    metrics.evicted("size", 24);
    metrics.evicted("rmi", 5);
    metrics.storeCap(() -> 1L << 30);

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    assertEquals(2, text.value("layercake_evictions_total", "reason", "size"));
    assertEquals(1024, text.value("layercake_evicted_bytes_total", "reason", "size"));
    assertEquals(5, text.value("layercake_evicted_bytes_total", "reason", "rmi"));
    assertEquals(1L << 30, text.value("layercake_store_max_bytes"));
  }

  @Test
  void requestAnswered_countedByStatusAndTimedByEndpoint() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.requestAnswered(Endpoint.BLOB, 200, 300_000);
    metrics.requestAnswered(Endpoint.BLOB, 200, 2_000_000_000L);
    metrics.requestAnswered(Endpoint.BLOB, 999, 1_000_000);

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    assertEquals(2, text.value("layercake_http_requests_total", "endpoint", "blob", "code", "200"));
    assertEquals(1, text.value("layercake_http_requests_total", "endpoint", "blob", "code", "other"));
    assertEquals(3, text.value("layercake_http_request_duration_seconds_count", "endpoint", "blob"));
    assertEquals(1, text.value("layercake_http_request_duration_seconds_bucket", "endpoint", "blob", "le", "5.0E-4"));
    assertEquals(2, text.value("layercake_http_request_duration_seconds_bucket", "endpoint", "blob", "le", "0.001"));
    assertEquals(2.0013, text.value("layercake_http_request_duration_seconds_sum", "endpoint", "blob"), 1e-9);
    assertEquals(0, text.value("layercake_http_request_duration_seconds_count", "endpoint", "manifest"));
  }

  @Test
  void gauges_unknownOrFailingReadings_leaveTheSampleOut() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.upstreamRateLimit("unknown", () -> -1, () -> -1, () -> 0);
    metrics.upstreamRateLimit("hub", () -> 100, () -> 42, () -> 1);
    metrics.storeUsage(() -> {
      throw new IllegalStateException("store closed");
    });
    metrics.fillsInFlight(() -> 3);

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    assertEquals(1, text.samples("layercake_upstream_ratelimit_remaining").size());
    assertEquals(42, text.value("layercake_upstream_ratelimit_remaining", "upstream", "hub"));
    assertEquals(100, text.value("layercake_upstream_ratelimit_limit", "upstream", "hub"));
    assertEquals(1, text.value("layercake_upstream_budget_state", "upstream", "hub"));
    assertTrue(text.samples("layercake_store_bytes").isEmpty());
    assertEquals(3, text.value("layercake_blob_fills_in_flight"));
  }

  @Test
  void scrape_hasBuildClusterJvmAndProcessMetrics() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.clusterMembers(() -> Map.of("up", 2, "leaving", 1));

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    assertEquals(1, text.samples("layercake_build_info").size());
    assertEquals(Runtime.version().toString(), text.samples("layercake_build_info").get(0).labels().get("java"));
    assertEquals(2, text.value("layercake_cluster_members", "status", "up"));
    assertEquals(1, text.value("layercake_cluster_members", "status", "leaving"));
    assertTrue(text.value("jvm_memory_used_bytes", "area", "heap") > 0);
    assertTrue(text.families().containsKey("jvm_buffer_pool_used_bytes"), "direct buffers");
    assertTrue(text.families().containsKey("process_cpu_seconds_total"), "process metrics");
  }

  @Test
  void expose_openMetricsAccepted_answersOpenMetrics() {
    NodeMetrics metrics = new NodeMetrics();

    NodeMetrics.Exposition open = metrics.expose(
        "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3,*/*;q=0.2");
    NodeMetrics.Exposition plain = metrics.expose("text/plain");

    String body = new String(open.body(), StandardCharsets.UTF_8);
    assertTrue(open.contentType().startsWith("application/openmetrics-text; version=1.0.0"), open.contentType());
    assertTrue(body.endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
    assertTrue(plain.contentType().startsWith("text/plain; version=0.0.4"), plain.contentType());
  }
}
