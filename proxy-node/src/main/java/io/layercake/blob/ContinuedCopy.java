package io.layercake.blob;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A blob body that survives its source stopping part-way: when the body fails, the rest is asked
 * for from the byte where it broke, and the stream goes on as if nothing happened.
 *
 * <p>Why: during a rolling restart the node that is stopping is often the source of a stream in
 * another node: the peer a new owner copies the blob from, or the owner whose bytes a node
 * proxies to its client. Its node-to-node listener closes a few seconds after it left, and a body
 * still running then broke off, failing every pull that streamed from it (the fault schedule
 * caught one). Nothing is trusted by continuing: a fill checks the whole blob's size and sha256
 * as before, so bytes from two sources commit only if together they are the blob, and a proxied
 * body's continuation comes from a node that verifies what it serves.
 */
public final class ContinuedCopy {

  /**
   * How often one body may go on after its source stopped: a rolling restart stops one node at a
   * time, so a few continuations cover it, and a body that keeps breaking fails as before.
   */
  public static final int MAX_CONTINUATIONS = 3;

  private ContinuedCopy() {}

  /**
   * {@code body}, continued up to {@code continuations} times by {@code rest}, which opens the
   * blob's bytes from a given offset on (and fails if no source has them).
   */
  public static Source<ByteString, NotUsed> of(Source<ByteString, NotUsed> body, int continuations,
      LongFunction<CompletionStage<Source<ByteString, NotUsed>>> rest) {
    return Source.lazySource(() -> {
      // Counted just before the recovery, in the same fused stage chain: a chunk counted here has
      // been handed on, so the count is exactly the bytes downstream received.
      AtomicLong received = new AtomicLong();
      return counted(body, received).recoverWithRetries(continuations, Throwable.class,
          () -> counted(Source.completionStageSource(rest.apply(received.get()))
              .mapMaterializedValue(ignored -> NotUsed.getInstance()), received));
    }).mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  /** {@code body} without its first {@code count} bytes. */
  static Source<ByteString, NotUsed> skip(Source<ByteString, NotUsed> body, long count) {
    if (count == 0) {
      return body;
    }
    return body.statefulMapConcat(() -> {
      long[] left = {count};
      return chunk -> {
        if (left[0] == 0) {
          return List.of(chunk);
        }
        int dropped = (int) Math.min(left[0], chunk.size());
        left[0] -= dropped;
        return dropped == chunk.size() ? List.of() : List.of(chunk.drop(dropped));
      };
    });
  }

  private static Source<ByteString, NotUsed> counted(Source<ByteString, NotUsed> body, AtomicLong received) {
    return body.map(chunk -> {
      received.addAndGet(chunk.size());
      return chunk;
    });
  }
}
