package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.Failures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Found by the fault schedule: a request sent to a shard's home just as that node was cut off was
 * lost, and the client waited out the whole 60 s ask timeout for a 503, although the shard lived
 * again on another node 15 s later. Here the entity "loses" the first requests: the resent one is
 * answered, well before the overall timeout.
 */
class ResentAskTest {

  /** An entity that never answers the first {@code lost} requests (they went to a dead node). */
  private static ResentAsk.Asker<String, String> losing(int lost, AtomicInteger sent) {
    return (message, wait) -> {
      int n = sent.incrementAndGet();
      CompletableFuture<String> reply = new CompletableFuture<>();
      if (n > lost) {
        reply.complete("answer to request " + n);
      } else {
        reply.completeExceptionally(new TimeoutException("no answer within " + wait));
      }
      return delayed(reply, n > lost ? Duration.ZERO : wait);
    };
  }

  private static CompletionStage<String> delayed(CompletableFuture<String> outcome, Duration after) {
    return CompletableFuture.supplyAsync(() -> null,
            CompletableFuture.delayedExecutor(after.toMillis(), TimeUnit.MILLISECONDS))
        .thenCompose(ignored -> outcome);
  }

  @Test
  void lostRequests_resent_answeredBeforeTheOverallTimeout() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    long started = System.nanoTime();
    String reply = ResentAsk.ask(losing(2, sent), replyTo -> "fetch", Duration.ofSeconds(10), Duration.ofMillis(200))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertEquals("answer to request 3", reply);
    assertEquals(3, sent.get());
    assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "took " + took);
  }

  @Test
  void noAnswerAtAll_timesOutAtTheOverallTimeout() {
    AtomicInteger sent = new AtomicInteger();
    long started = System.nanoTime();
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
        ResentAsk.ask(losing(Integer.MAX_VALUE, sent), replyTo -> "fetch", Duration.ofMillis(900), Duration.ofMillis(200))
            .toCompletableFuture().get(5, TimeUnit.SECONDS));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertInstanceOf(TimeoutException.class, Failures.unwrap(failed));
    assertTrue(sent.get() >= 4 && sent.get() <= 6, "sent " + sent.get());
    assertTrue(took.compareTo(Duration.ofMillis(850)) > 0 && took.compareTo(Duration.ofSeconds(3)) < 0, "took " + took);
  }

  @Test
  void otherFailures_notResent() {
    AtomicInteger sent = new AtomicInteger();
    ResentAsk.Asker<String, String> refusing = (message, wait) -> {
      sent.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("refused"));
    };
    ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
        ResentAsk.ask(refusing, replyTo -> "fetch", Duration.ofSeconds(5), Duration.ofMillis(100))
            .toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, Failures.unwrap(failed));
    assertEquals(1, sent.get());
  }
}
