package io.layercake.metrics;

/** What a cache hit or miss was for, as the {@code kind} label says it. */
public enum CacheKind {
  /** A blob request. */
  BLOB,
  /** A manifest request by tag. */
  MANIFEST
}
