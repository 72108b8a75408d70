package io.layercake.cluster;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import io.layercake.Failures;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/*
 * Implementation notes
 *
 * Akka delivers a message at most once. A request for an entity whose shard lives on a node that
 * has just been cut off, or killed, goes to that node's region before the failure detector has
 * noticed, and is lost; the ask then waits out its whole timeout (60 s) although the shard is
 * re-homed on a live node some 15 s later, once the split brain resolver has downed the lost one.
 * The fault harness measured exactly that: a pull attempt that took 60 s and failed. So the ask
 * is sent again every RESEND seconds until the overall timeout. The entities' requests are
 * idempotent: a second FetchBlob joins the fill the first one started, a second ResolveTag gets
 * the same answer. An earlier asker's late reply goes to dead letters.
 */

/** Asks a sharded entity, sending the request again while no answer comes, up to a deadline. */
public final class ResentAsk {

  public static final Duration RESEND = Duration.ofSeconds(10);

  private ResentAsk() {}

  /** One ask of an entity: send {@code message}, wait up to the duration for the reply. */
  public interface Asker<M, R> {
    CompletionStage<R> ask(Function<ActorRef<R>, M> message, Duration timeout);
  }

  /** The entity's reply to {@code message}, or a timeout once {@code timeout} has passed in all. */
  public static <M, R> CompletionStage<R> ask(EntityRef<M> entity, Function<ActorRef<R>, M> message, Duration timeout) {
    return ask((m, wait) -> entity.<R>ask(m::apply, wait), message, timeout, RESEND);
  }

  /** The same, over any {@code asker}, resending every {@code resend}. */
  public static <M, R> CompletionStage<R> ask(Asker<M, R> asker, Function<ActorRef<R>, M> message, Duration timeout,
      Duration resend) {
    return attempt(asker, message, System.nanoTime() + timeout.toNanos(), resend);
  }

  private static <M, R> CompletionStage<R> attempt(Asker<M, R> asker, Function<ActorRef<R>, M> message,
      long deadline, Duration resend) {
    long left = deadline - System.nanoTime();
    Duration wait = Duration.ofNanos(Math.max(1_000_000, Math.min(left, resend.toNanos())));
    return asker.ask(message, wait).handle((reply, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(reply);
      }
      Throwable cause = Failures.unwrap(error);
      if (cause instanceof TimeoutException && deadline - System.nanoTime() > 0) {
        return attempt(asker, message, deadline, resend);
      }
      return CompletableFuture.<R>failedFuture(cause);
    }).thenCompose(Function.identity());
  }
}
