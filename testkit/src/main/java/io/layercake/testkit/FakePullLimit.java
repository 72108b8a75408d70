package io.layercake.testkit;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Docker Hub's pull limit as a {@link FakeRegistry} keeps it: manifest GETs counted over a
 * sliding window (HEADs are free), reported in {@code ratelimit-*} headers, and refused with 429
 * once the window holds {@code limit} of them, if enforcing.
 */
final class FakePullLimit {

  private final int limit;
  private final Duration window;
  private final boolean enforced;
  /** When each pull in the window was counted, oldest first ({@link System#nanoTime} scale). */
  private final Deque<Long> pulls = new ArrayDeque<>();
  /** GETs refused with 429 since the start. */
  private int refused;

  FakePullLimit(int limit, Duration window, boolean enforced) {
    this.limit = limit;
    this.window = window;
    this.enforced = enforced;
  }

  /** The {@code ;w=<seconds>} every header value ends with. */
  String windowSuffix() {
    return ";w=" + window.toSeconds();
  }

  int limit() {
    return limit;
  }

  /** Pulls left in the window now. */
  synchronized int remaining() {
    expire(System.nanoTime());
    return Math.max(0, limit - pulls.size());
  }

  /** Counts one pull; false (nothing counted) when the limit is enforced and reached. */
  synchronized boolean take() {
    long now = System.nanoTime();
    expire(now);
    if (enforced && pulls.size() >= limit) {
      refused++;
      return false;
    }
    pulls.addLast(now);
    return true;
  }

  /** How many GETs were refused with 429 since the start. */
  synchronized int refused() {
    return refused;
  }

  /** How long until the oldest pull in the window leaves it. */
  synchronized Duration untilNextPull() {
    long now = System.nanoTime();
    expire(now);
    return pulls.isEmpty() ? Duration.ZERO : Duration.ofNanos(pulls.peekFirst() + window.toNanos() - now);
  }

  private void expire(long now) {
    while (!pulls.isEmpty() && now - pulls.peekFirst() >= window.toNanos()) {
      pulls.removeFirst();
    }
  }
}
