package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.metrics.Endpoint;
import org.junit.jupiter.api.Test;

/** Which endpoint label a request path gets. */
class RequestMetricsTest {

  @Test
  void classify_registryPaths() {
    assertEquals(Endpoint.BASE, RequestMetrics.classify("/v2/"));
    assertEquals(Endpoint.CATALOG, RequestMetrics.classify("/v2/_catalog"));
    assertEquals(Endpoint.TAGS, RequestMetrics.classify("/v2/library/redis/tags/list"));
    assertEquals(Endpoint.MANIFEST, RequestMetrics.classify("/v2/library/redis/manifests/7"));
    assertEquals(Endpoint.REFERRERS, RequestMetrics.classify("/v2/library/redis/referrers/sha256:" + "a".repeat(64)));
    assertEquals(Endpoint.BLOB, RequestMetrics.classify("/v2/library/redis/blobs/sha256:abc"));
  }

  @Test
  void classify_nameContainingBlobsOrManifests_usesTheLastSegmentsOnly() {
    assertEquals(Endpoint.MANIFEST, RequestMetrics.classify("/v2/blobs/x/manifests/latest"));
    assertEquals(Endpoint.BLOB, RequestMetrics.classify("/v2/manifests/blobs/blobs/sha256:abc"));
    assertEquals(Endpoint.OTHER, RequestMetrics.classify("/v2/library/redis/blobs/uploads/"));
    assertEquals(Endpoint.OTHER, RequestMetrics.classify("/v2/library/redis"));
  }

  @Test
  void classify_operatorAndInternalPaths() {
    assertEquals(Endpoint.METRICS, RequestMetrics.classify("/metrics"));
    assertEquals(Endpoint.STATUS, RequestMetrics.classify("/"));
    assertEquals(Endpoint.STATUS, RequestMetrics.classify("/index.html"));
    assertEquals(Endpoint.ADMIN, RequestMetrics.classify("/admin/cluster"));
    assertEquals(Endpoint.INTERNAL, RequestMetrics.classify("/internal/stats"));
    assertEquals(Endpoint.OTHER, RequestMetrics.classify("/etc/passwd"));
  }
}
