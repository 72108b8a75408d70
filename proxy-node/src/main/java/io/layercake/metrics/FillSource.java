package io.layercake.metrics;

import java.util.Locale;

/** Where a blob fill copies from, as the {@code source} label says it. */
public enum FillSource {
  /** The upstream registry. */
  UPSTREAM,
  /** Another node that holds the blob (after a rebalance). */
  PEER;

  private final String label = name().toLowerCase(Locale.ROOT);

  /** The label value. */
  public String label() {
    return label;
  }
}
