package io.layercake;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning that a client can cause on every request (a full disk fails them all) must not let
 * clients fill the log: at most one line per period, saying how many were left out.
 */
public final class ThrottledLog {

  private final long periodNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong lastLogged;
  private final AtomicInteger skipped = new AtomicInteger();

  /** At most one line per {@code period}. */
  public ThrottledLog(Duration period) {
    this(period, System::nanoTime);
  }

  /** As {@link #ThrottledLog(Duration)}, with the clock given (tests). */
  ThrottledLog(Duration period, LongSupplier nanoTime) {
    this.periodNanos = period.toNanos();
    this.nanoTime = nanoTime;
    this.lastLogged = new AtomicLong(nanoTime.getAsLong() - periodNanos - 1);
  }

  /** Logs {@code message} at WARN unless a line went out less than a period ago. */
  public void warn(Logger log, String message) {
    long now = nanoTime.getAsLong();
    long last = lastLogged.get();
    if (now - last < periodNanos || !lastLogged.compareAndSet(last, now)) {
      skipped.incrementAndGet();
      return;
    }
    int left = skipped.getAndSet(0);
    log.warn(left == 0 ? message : message + " (" + left + " more like it since the last line)");
  }
}
