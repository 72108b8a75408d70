package io.layercake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.layercake.testkit.PrometheusText;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {

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
}
