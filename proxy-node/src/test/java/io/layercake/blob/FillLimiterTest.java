package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The caps on concurrent fills: per node, per upstream, the bounded queue and its timeout. */
class FillLimiterTest {

  private static final Duration LONG = Duration.ofMinutes(1);

  private static FillLimiter.Permit now(CompletionStage<FillLimiter.Permit> place) {
    CompletableFuture<FillLimiter.Permit> future = place.toCompletableFuture();
    assertTrue(future.isDone() && !future.isCompletedExceptionally(), "a place at once");
    return future.join();
  }

  private static OciException refused(CompletionStage<FillLimiter.Permit> place) throws Exception {
    try {
      place.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return (OciException) Failures.unwrap(e);
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  void acquire_underBothCaps_grantsAtOnce() {
    FillLimiter limiter = new FillLimiter(3, 2, 0, LONG);
    now(limiter.acquire(UpstreamName.of("hub")));
    now(limiter.acquire(UpstreamName.of("hub")));
    now(limiter.acquire(UpstreamName.of("ghcr")));
    assertEquals(3, limiter.running());
  }

  @Test
  void acquire_atNodeCap_waitsUntilAPlaceIsReleased() {
    FillLimiter limiter = new FillLimiter(2, 2, 4, LONG);
    FillLimiter.Permit first = now(limiter.acquire(UpstreamName.of("hub")));
    now(limiter.acquire(UpstreamName.of("ghcr")));
    CompletableFuture<FillLimiter.Permit> third = limiter.acquire(UpstreamName.of("quay")).toCompletableFuture();

    assertFalse(third.isDone());
    assertEquals(1, limiter.waiting());
    first.release();
    assertTrue(third.isDone() && !third.isCompletedExceptionally());
    assertEquals(2, limiter.running());
    assertEquals(0, limiter.waiting());
  }

  @Test
  void acquire_atUpstreamCap_otherUpstreamsGoAhead() {
    FillLimiter limiter = new FillLimiter(4, 1, 4, LONG);
    FillLimiter.Permit hub = now(limiter.acquire(UpstreamName.of("hub")));
    CompletableFuture<FillLimiter.Permit> secondHub = limiter.acquire(UpstreamName.of("hub")).toCompletableFuture();
    now(limiter.acquire(UpstreamName.of("ghcr")));

    assertFalse(secondHub.isDone(), "hub is at its cap");
    hub.release();
    assertTrue(secondHub.isDone() && !secondHub.isCompletedExceptionally());
  }

  @Test
  void release_givesThePlaceToTheFirstWaiterNotANewcomer() {
    FillLimiter limiter = new FillLimiter(1, 1, 4, LONG);
    FillLimiter.Permit running = now(limiter.acquire(UpstreamName.of("hub")));
    CompletableFuture<FillLimiter.Permit> waiting = limiter.acquire(UpstreamName.of("hub")).toCompletableFuture();
    running.release();
    CompletableFuture<FillLimiter.Permit> newcomer = limiter.acquire(UpstreamName.of("hub")).toCompletableFuture();

    assertTrue(waiting.isDone());
    assertFalse(newcomer.isDone());
  }

  @Test
  void acquire_queueFull_failsAtOnceWithRetryAfter() throws Exception {
    FillLimiter limiter = new FillLimiter(1, 1, 1, LONG);
    now(limiter.acquire(UpstreamName.of("hub")));
    limiter.acquire(UpstreamName.of("hub"));
    OciException refusal = refused(limiter.acquire(UpstreamName.of("hub")));

    assertEquals(ErrorCode.UNAVAILABLE, refusal.code());
    assertEquals(FillLimiter.RETRY_AFTER, refusal.retryAfter().orElseThrow());
    assertEquals(1, limiter.waiting());
  }

  @Test
  void acquire_noQueue_failsAsSoonAsACapIsReached() throws Exception {
    FillLimiter limiter = new FillLimiter(1, 1, 0, LONG);
    now(limiter.acquire(UpstreamName.of("hub")));
    assertEquals(ErrorCode.UNAVAILABLE, refused(limiter.acquire(UpstreamName.of("hub"))).code());
  }

  @Test
  void acquire_waitPastQueueTimeout_failsWithRetryAfterAndLeavesTheQueue() throws Exception {
    FillLimiter limiter = new FillLimiter(1, 1, 4, Duration.ofMillis(50));
    FillLimiter.Permit running = now(limiter.acquire(UpstreamName.of("hub")));
    OciException refusal = refused(limiter.acquire(UpstreamName.of("hub")));

    assertEquals(ErrorCode.UNAVAILABLE, refusal.code());
    assertTrue(refusal.retryAfter().isPresent());
    assertEquals(0, limiter.waiting());
    running.release();
    assertEquals(0, limiter.running(), "the timed-out waiter took no place");
  }

  @Test
  void release_twice_freesOnePlace() {
    FillLimiter limiter = new FillLimiter(2, 2, 4, LONG);
    FillLimiter.Permit permit = now(limiter.acquire(UpstreamName.of("hub")));
    now(limiter.acquire(UpstreamName.of("hub")));
    permit.release();
    permit.release();
    assertEquals(1, limiter.running());
  }

  @Test
  void manyAcquireAndRelease_fromManyThreads_neverExceedTheCapsAndEndEmpty() throws Exception {
    FillLimiter limiter = new FillLimiter(4, 3, 1000, LONG);
    List<CompletableFuture<Void>> fills = new ArrayList<>();
    int[] peak = new int[1];
    for (int i = 0; i < 500; i++) {
      UpstreamName upstream = UpstreamName.of(i % 3 == 0 ? "ghcr" : "hub");
      fills.add(CompletableFuture.supplyAsync(() -> limiter.acquire(upstream))
          .thenCompose(place -> place)
          .thenAcceptAsync(permit -> {
            synchronized (peak) {
              peak[0] = Math.max(peak[0], limiter.running());
            }
            permit.release();
          }));
    }
    CompletableFuture.allOf(fills.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    assertTrue(peak[0] <= 4, "peak " + peak[0]);
    assertEquals(0, limiter.running());
    assertEquals(0, limiter.waiting());
  }
}
