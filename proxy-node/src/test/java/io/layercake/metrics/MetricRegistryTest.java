package io.layercake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.PrometheusText;
import org.junit.jupiter.api.Test;

/** The registry's exposition, checked by the strict test parser. */
class MetricRegistryTest {

  @Test
  void scrape_countersGaugesAndHistogram_parseStrictly() {
    MetricRegistry registry = new MetricRegistry();
    CounterFamily requests = registry.counter("demo_requests_total", "Requests.", "endpoint", "code");
    requests.labels("blob", "200").add(3);
    requests.labels("manifest", "404").increment();
    registry.gauge("demo_size_bytes", "Size.").register(() -> 42);
    Histogram latency = registry.histogram("demo_seconds", "Latency.", new double[] {0.1, 1}, "kind")
        .labels("token");
    latency.observe(0.05);
    latency.observe(0.5);
    latency.observe(7);

    PrometheusText text = PrometheusText.parse(registry.scrape());

    assertEquals(3, text.value("demo_requests_total", "endpoint", "blob", "code", "200"));
    assertEquals(1, text.value("demo_requests_total", "endpoint", "manifest", "code", "404"));
    assertEquals(42, text.value("demo_size_bytes"));
    assertEquals(1, text.value("demo_seconds_bucket", "kind", "token", "le", "0.1"));
    assertEquals(2, text.value("demo_seconds_bucket", "kind", "token", "le", "1"));
    assertEquals(3, text.value("demo_seconds_bucket", "kind", "token", "le", "+Inf"));
    assertEquals(3, text.value("demo_seconds_count", "kind", "token"));
    assertEquals(7.55, text.value("demo_seconds_sum", "kind", "token"), 1e-9);
  }

  @Test
  void scrape_labelValueWithQuoteBackslashNewline_isEscaped() {
    MetricRegistry registry = new MetricRegistry();
    registry.counter("demo_total", "Help with \\ and\nnewline.", "name").labels("a\"b\\c\nd").increment();

    String scrape = registry.scrape();
    PrometheusText text = PrometheusText.parse(scrape);

    assertTrue(scrape.contains("name=\"a\\\"b\\\\c\\nd\""), scrape);
    assertEquals(1, text.value("demo_total", "name", "a\"b\\c\nd"));
    assertEquals("Help with \\ and\nnewline.", text.families().get("demo_total").help());
  }

  @Test
  void gauge_supplierAnsweringNaNOrThrowing_leavesSampleOut() {
    MetricRegistry registry = new MetricRegistry();
    GaugeFamily gauge = registry.gauge("demo_remaining", "Remaining.", "upstream");
    gauge.register(() -> Double.NaN, "unknown");
    gauge.register(() -> {
      throw new IllegalStateException("closed");
    }, "broken");
    gauge.register(() -> 5, "known");

    PrometheusText text = PrometheusText.parse(registry.scrape());

    assertEquals(1, text.families().get("demo_remaining").samples().size());
    assertEquals(5, text.value("demo_remaining", "upstream", "known"));
  }

  @Test
  void counter_nameWithoutTotal_isRejected() {
    MetricRegistry registry = new MetricRegistry();
    assertThrows(IllegalArgumentException.class, () -> registry.counter("demo_requests", "Requests."));
  }

  @Test
  void register_invalidOrDuplicateNames_areRejected() {
    MetricRegistry registry = new MetricRegistry();
    registry.gauge("demo_size", "Size.");
    assertThrows(IllegalArgumentException.class, () -> registry.gauge("demo_size", "Again."));
    assertThrows(IllegalArgumentException.class, () -> registry.gauge("1demo", "Bad name."));
    assertThrows(IllegalArgumentException.class, () -> registry.gauge("demo_x", "Bad label.", "__x"));
    assertThrows(IllegalArgumentException.class,
        () -> registry.histogram("demo_h", "Bad le.", new double[] {1}, "le"));
    assertThrows(IllegalArgumentException.class,
        () -> registry.histogram("demo_h", "Unordered.", new double[] {2, 1}));
  }

  @Test
  void counter_negativeAdd_isRejected() {
    Counter counter = new MetricRegistry().counter("demo_total", "Demo.").labels();
    assertThrows(IllegalArgumentException.class, () -> counter.add(-1));
    assertEquals(0, counter.value());
  }

  @Test
  void labels_wrongNumberOfValues_isRejected() {
    CounterFamily family = new MetricRegistry().counter("demo_total", "Demo.", "a", "b");
    assertThrows(IllegalArgumentException.class, () -> family.labels("only-one"));
  }

  @Test
  void nodeMetrics_fresh_exportsZeroEvictionsPerReasonAndNoCap() {
    NodeMetrics metrics = new NodeMetrics();

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    for (String reason : NodeMetrics.EVICTION_REASONS) {
      assertEquals(0, text.value("layercake_evictions_total", "reason", reason));
      assertEquals(0, text.value("layercake_evicted_bytes_total", "reason", reason));
    }
    assertTrue(text.families().get("layercake_store_max_bytes").samples().isEmpty());
    assertFalse(metrics.storeCap().isPresent());
  }

  @Test
  void nodeMetrics_evictedAndCap_areExported() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.evicted("size", 1000);
    metrics.evicted("size", 24);
    metrics.evicted("tag-age", 5);
    metrics.storeCap(() -> 1L << 30);

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    assertEquals(2, text.value("layercake_evictions_total", "reason", "size"));
    assertEquals(1024, text.value("layercake_evicted_bytes_total", "reason", "size"));
    assertEquals(5, text.value("layercake_evicted_bytes_total", "reason", "tag-age"));
    assertEquals(1L << 30, text.value("layercake_store_max_bytes"));
    assertThrows(IllegalArgumentException.class, () -> metrics.evicted("Size Cap", 1));
  }

  @Test
  void requestAnswered_outOfRangeStatus_isCountedAsOther() {
    NodeMetrics metrics = new NodeMetrics();
    metrics.requestAnswered(Endpoint.BLOB, 200);
    metrics.requestAnswered(Endpoint.BLOB, 200);
    metrics.requestAnswered(Endpoint.BLOB, 999);

    PrometheusText text = PrometheusText.parse(metrics.scrape());

    assertEquals(2, text.value("layercake_http_requests_total", "endpoint", "blob", "code", "200"));
    assertEquals(1, text.value("layercake_http_requests_total", "endpoint", "blob", "code", "other"));
  }
}
