package io.layercake.metrics;

/** What a request to the node's HTTP port asked for, as the {@code endpoint} label says it. */
public enum Endpoint {
  /** {@code /v2/<name>/blobs/<digest>}. */
  BLOB,
  /** {@code /v2/<name>/manifests/<reference>}. */
  MANIFEST,
  /** {@code /v2/<name>/tags/list}. */
  TAGS,
  /** {@code /v2/<name>/referrers/<digest>}. */
  REFERRERS,
  /** {@code /v2/_catalog}. */
  CATALOG,
  /** {@code /v2/}, the API version check. */
  BASE,
  /** {@code /admin/...}. */
  ADMIN,
  /** {@code /internal/...}: other nodes. */
  INTERNAL,
  /** {@code /metrics}. */
  METRICS,
  /** {@code /} and {@code /index.html}, the status page. */
  STATUS,
  /** Anything else, answered with an error. */
  OTHER
}
