package io.layercake.metrics;

import java.util.concurrent.atomic.LongAdder;

/**
 * A count that only goes up. Lock-free: a {@link LongAdder}, so that threads counting at once do
 * not contend on one cache line. Resolve it once ({@link CounterFamily#labels}) and keep it where
 * it is counted often.
 */
public final class Counter {

  private final LongAdder sum = new LongAdder();

  Counter() {}

  /** Adds one. */
  public void increment() {
    sum.increment();
  }

  /** Adds {@code amount}, which must not be negative: a counter never goes down. */
  public void add(long amount) {
    if (amount < 0) {
      throw new IllegalArgumentException("a counter cannot go down, got " + amount);
    }
    sum.add(amount);
  }

  /** The count so far. */
  public long value() {
    return sum.sum();
  }
}
