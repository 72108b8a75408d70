package io.layercake.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A distribution over fixed buckets: each observation adds one to the first bucket whose upper
 * bound holds it (a short linear scan; there are a dozen bounds) and to the sum. Lock-free.
 */
public final class Histogram {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double[] upperBounds;
  private final LongAdder[] buckets;
  private final DoubleAdder sum = new DoubleAdder();

  Histogram(double[] upperBounds) {
    this.upperBounds = upperBounds;
    this.buckets = new LongAdder[upperBounds.length + 1];
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = new LongAdder();
    }
  }

  /** Records one observation. */
  public void observe(double value) {
    int i = 0;
    while (i < upperBounds.length && value > upperBounds[i]) {
      i++;
    }
    buckets[i].increment();
    sum.add(value);
  }

  /** Records a duration measured in nanoseconds, in seconds (Prometheus' base unit). */
  public void observeNanos(long nanos) {
    observe(nanos / NANOS_PER_SECOND);
  }

  /** The number of observations so far. */
  public long count() {
    long count = 0;
    for (LongAdder bucket : buckets) {
      count += bucket.sum();
    }
    return count;
  }

  /** Observations per bucket, not cumulative; the last is the +Inf bucket. */
  long[] bucketCounts() {
    long[] counts = new long[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      counts[i] = buckets[i].sum();
    }
    return counts;
  }

  double sum() {
    return sum.sum();
  }
}
