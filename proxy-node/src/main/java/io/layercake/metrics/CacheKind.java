package io.layercake.metrics;

import java.util.Locale;

/** What a cache hit or miss was for, as the {@code kind} label says it. */
public enum CacheKind {
  /** A blob request. */
  BLOB,
  /** A manifest request by tag. */
  MANIFEST;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The label value. */
  public String label() {
    return label;
  }
}
