package io.layercake.blob;

import io.layercake.UpstreamName;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/*
 * Implementation notes
 *
 * Why: a fill holds an upstream connection, a temp file that grows to the blob's size and a
 * thread's worth of disk writes for as long as upstream takes. Without a cap, anyone who can
 * name cold blobs (a burst of pulls of many images, or a client asking for large layers on
 * purpose) makes the node open as many of them as the upstream client allows (256 requests per
 * host), and the temp files fill the disk faster than eviction can free it.
 *
 * Two caps: one per node (disk and threads are per node), and one per upstream on this node (so
 * that one upstream cannot take every place, and its connection pool keeps room for manifests
 * and tokens). A fill counts against the upstream its request named, also when a peer turns out
 * to hold the bytes: the source is only known once the place is taken.
 *
 * Beyond the caps: a bounded FIFO queue, then 503 with Retry-After. Waiting a little absorbs the
 * bursts that a fleet pulling a new image makes (docker pulls three layers at a time per client),
 * with no error anyone sees; the bound keeps both memory and the wait finite, and a client told
 * "retry in 5 s" is better served than one whose request hangs until its own timeout. A waiter
 * whose upstream is at its cap does not hold up waiters for other upstreams behind it.
 *
 * Single flight: the blob's entity asks for a place once per fill. Requests that join a fill in
 * progress never reach this class, so they never count against the caps.
 *
 * Concurrency: one lock around counters and the queue; a place is handed over by completing the
 * waiter's future outside the lock. A waiter that timed out cannot be completed again, so a place
 * released at that moment goes to the next waiter instead of being lost.
 */

/** Caps the fills running at once on one node, per node and per upstream, with a bounded queue. */
final class FillLimiter {

  /** What a client that finds no place is told to wait: about how long a typical layer's fill takes. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final int maxFills;
  private final int maxPerUpstream;
  private final int queueSize;
  private final Duration queueTimeout;
  private final Map<UpstreamName, Integer> runningByUpstream = new HashMap<>();
  private final Deque<Waiter> queue = new ArrayDeque<>();
  private int running;

  /** A place to run one fill; give it back with {@link #release()} when the fill ends. */
  interface Permit {
    /** Frees the place; calling it again does nothing. */
    void release();
  }

  private record Waiter(UpstreamName upstream, CompletableFuture<Permit> place) {}

  /**
   * A limiter of at most {@code maxFills} fills, {@code maxPerUpstream} of them per upstream,
   * with up to {@code queueSize} waiting for at most {@code queueTimeout} each.
   */
  FillLimiter(int maxFills, int maxPerUpstream, int queueSize, Duration queueTimeout) {
    if (maxFills < 1 || maxPerUpstream < 1 || queueSize < 0 || queueTimeout.isNegative()) {
      throw new IllegalArgumentException("invalid fill limits: " + maxFills + ", " + maxPerUpstream
          + ", " + queueSize + ", " + queueTimeout);
    }
    this.maxFills = maxFills;
    this.maxPerUpstream = maxPerUpstream;
    this.queueSize = queueSize;
    this.queueTimeout = queueTimeout;
  }

  /** The limiter {@code settings} describe. */
  static FillLimiter of(BlobSettings settings) {
    return new FillLimiter(settings.maxFills(), settings.maxFillsPerUpstream(), settings.fillQueueSize(),
        settings.fillQueueTimeout());
  }

  /**
   * A place for one fill for {@code upstream}: at once if both caps allow, else after waiting in
   * the queue. Fails with UNAVAILABLE and Retry-After when the queue is full or the wait passes
   * the queue timeout.
   */
  CompletionStage<Permit> acquire(UpstreamName upstream) {
    Waiter waiter;
    synchronized (this) {
      // Fair: a waiter is only ever left queued while its own caps are full (see free()).
      if (admits(upstream)) {
        return CompletableFuture.completedFuture(take(upstream));
      }
      if (queue.size() >= queueSize) {
        return CompletableFuture.failedFuture(busy("all " + queueSize + " places in the fill queue are taken"));
      }
      waiter = new Waiter(upstream, new CompletableFuture<>());
      queue.addLast(waiter);
    }
    waiter.place().orTimeout(queueTimeout.toMillis(), TimeUnit.MILLISECONDS);
    return waiter.place().exceptionallyCompose(timedOut -> {
      // Out of the queue before the caller hears of it.
      leave(waiter);
      return CompletableFuture.failedFuture(
          busy("no fill place became free within " + queueTimeout.toSeconds() + " s"));
    });
  }

  /** Fills running now. */
  synchronized int running() {
    return running;
  }

  /** Fills waiting for a place now. */
  synchronized int waiting() {
    return queue.size();
  }

  private boolean admits(UpstreamName upstream) {
    return running < maxFills && runningByUpstream.getOrDefault(upstream, 0) < maxPerUpstream;
  }

  /** Counts a fill as running; call holding the lock. */
  private Permit take(UpstreamName upstream) {
    running++;
    runningByUpstream.merge(upstream, 1, Integer::sum);
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        free(upstream);
      }
    };
  }

  /**
   * Frees a place and, in the same step, gives the places now free to the first waiters that
   * fit, so that no newcomer can take a place a waiter was due. Their futures are completed
   * outside the lock.
   */
  private void free(UpstreamName upstream) {
    Map<Waiter, Permit> admitted = new LinkedHashMap<>();
    synchronized (this) {
      running--;
      runningByUpstream.computeIfPresent(upstream, (key, count) -> count == 1 ? null : count - 1);
      for (Iterator<Waiter> waiters = queue.iterator(); waiters.hasNext(); ) {
        Waiter waiter = waiters.next();
        if (admits(waiter.upstream())) {
          waiters.remove();
          admitted.put(waiter, take(waiter.upstream()));
        }
      }
    }
    admitted.forEach((waiter, permit) -> {
      if (!waiter.place().complete(permit)) {
        // It timed out a moment ago: the place goes to the next waiter.
        permit.release();
      }
    });
  }

  private synchronized void leave(Waiter waiter) {
    queue.remove(waiter);
  }

  private static OciException busy(String why) {
    return new OciException(ErrorCode.UNAVAILABLE, "too many blobs are being fetched, retry",
        why, RETRY_AFTER);
  }
}
