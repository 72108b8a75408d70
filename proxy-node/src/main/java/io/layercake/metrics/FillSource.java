package io.layercake.metrics;

/** Where a blob fill copies from, as the {@code source} label says it. */
public enum FillSource {
  /** The upstream registry. */
  UPSTREAM,
  /** Another node that holds the blob (after a rebalance). */
  PEER
}
