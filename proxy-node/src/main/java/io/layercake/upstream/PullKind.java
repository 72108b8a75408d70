package io.layercake.upstream;

/**
 * Who a manifest GET is for, which decides whether it may spend an upstream's pull limit when
 * little is left ({@link PullBudget}): a client's pull always may, background work may not.
 */
public enum PullKind {
  /** A client's pull of something the cache lacks. */
  USER,
  /** An operator's verb fetching ahead of clients: {@code pull}, and {@code save} or {@code inspect} of uncached images. */
  PREWARM,
  /** A refresh of a tag the cache holds, ahead of its clients. */
  REFRESH
}
