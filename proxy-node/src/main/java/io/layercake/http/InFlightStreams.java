package io.layercake.http;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.stream.javadsl.Flow;
import akka.util.ByteString;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * Counts the blob bodies this node is streaming, so that a stopping node can let them finish.
 *
 * <p>Akka HTTP's graceful termination waits for requests whose response has not started, but a
 * connection whose response headers are out counts as idle and is closed at once (akka-http
 * #3209): a 200 MB layer would break off mid-body on every rolling restart. So the node waits for
 * this count itself, before it terminates the binding.
 */
public final class InFlightStreams {

  private static final Duration POLL = Duration.ofMillis(100);

  private final AtomicInteger streaming = new AtomicInteger();

  /** A pass-through stage that counts the body running through it while it runs. */
  Flow<ByteString, ByteString, ?> tracker() {
    return Flow.of(ByteString.class).watchTermination((notUsed, done) -> {
      streaming.incrementAndGet();
      done.whenComplete((ok, error) -> streaming.decrementAndGet());
      return notUsed;
    });
  }

  /** Bodies streaming now. */
  public int count() {
    return streaming.get();
  }

  /**
   * Completes once no body is streaming and {@code otherWork} reports none either (e.g. fills
   * still writing), or at {@code deadline}, whichever comes first.
   */
  public CompletionStage<Done> drained(ActorSystem<?> system, Duration deadline, IntSupplier otherWork) {
    CompletableFuture<Done> result = new CompletableFuture<>();
    long end = System.nanoTime() + deadline.toNanos();
    poll(system, end, otherWork, result);
    return result;
  }

  private void poll(ActorSystem<?> system, long end, IntSupplier otherWork, CompletableFuture<Done> result) {
    if ((streaming.get() == 0 && otherWork.getAsInt() == 0) || System.nanoTime() >= end) {
      result.complete(Done.getInstance());
      return;
    }
    system.scheduler().scheduleOnce(POLL, () -> poll(system, end, otherWork, result), system.executionContext());
  }
}
