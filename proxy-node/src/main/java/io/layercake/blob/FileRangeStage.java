package io.layercake.blob;

import akka.stream.Attributes;
import akka.stream.Outlet;
import akka.stream.SourceShape;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import io.layercake.Failures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import scala.jdk.javaapi.FutureConverters;

/**
 * Reads bytes {@code first..last} of a file, complete or still being written, in reads sized by
 * the node's {@link ReadBudget}.
 *
 * <p>The stage runs inside the HTTP connection's stream, with no buffer of its own, and reads
 * when the socket's stage pulls, on the stream's own thread: a trip to another thread and back
 * per read cost a lone stream as much as small reads did. Only two things leave the thread: the
 * wait for a growing file to reach the position, and the reads of a stream whose reads turned out
 * slow (a cold disk), which go to the blocking executor one read ahead.
 *
 * <p>When downstream pulls, the socket has taken every read but the last one pushed (Akka's TCP
 * stage asks for more only once its previous write is acknowledged, for writes this size), so
 * the budget gets those back then. Every read hands its budget back exactly once: when a later
 * pull shows it was sent, when the stage stops, or, for an executor read that finishes after the
 * stage stopped, when its delivery is refused.
 */
final class FileRangeStage extends GraphStage<SourceShape<ByteString>> {

  /**
   * A read slower than this came from a disk rather than the page cache (a page-cache read of
   * 2 MiB takes a fraction of a millisecond), or was held up by a garbage collection or by other
   * threads on a busy machine. {@link #SLOW_READS} of them in a row, and the stream's later reads
   * go to the blocking executor. At 2 ms, sixteen streams on two busy cores tripped it often enough
   * to cost a third of their throughput.
   */
  private static final long SLOW_READ_NANOS = 10_000_000;
  private static final int SLOW_READS = 3;
  private final Outlet<ByteString> out = Outlet.create("FileRangeStage.out");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final Supplier<FileChannel> open;
  private final long first;
  private final long last;
  /**
   * Reads at least this large copy through a mapping; smaller ones read. A mapping pays a map, an
   * unmap and a TLB flush on every core the process runs on, whatever the read's size. It made a
   * lone stream's 2 MiB reads 17 % faster; for sixteen streams in 680 KiB reads the memory
   * scenario's warm phase measured the same either way, within its noise (851-1,016 MB/s read,
   * 888-949 mapped). So mapping is kept to the large reads, where it measurably helps: a read this
   * large means few streams share the read budget.
   */
  static final int MAPPED_READ_MIN = 1024 * 1024;
  private final LongFunction<CompletionStage<Long>> readableLimit;
  private final ReadBudget budget;
  private final Executor executor;
  /**
   * Whether reads may copy through a mapping ({@link MappedCopy}): only for a complete file, since
   * a growing one may yet be truncated if its fill fails.
   */
  private final boolean mapped;

  /**
   * @param readableLimit for a position, the exclusive end of what may be read, once that is
   *     beyond the position; null for a complete file
   */
  FileRangeStage(Supplier<FileChannel> open, long first, long last, LongFunction<CompletionStage<Long>> readableLimit,
      ReadBudget budget, Executor executor) {
    this.open = open;
    this.first = first;
    this.last = last;
    this.readableLimit = readableLimit;
    this.budget = budget;
    this.executor = executor;
    this.mapped = readableLimit == null && MappedCopy.available();
  }

  @Override
  public SourceShape<ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends GraphStageLogic {
    private final AsyncCallback<Long> limitReached = createAsyncCallback(this::onLimit);
    private final AsyncCallback<ByteString> read = createAsyncCallback(this::onRead);
    private final AsyncCallback<Throwable> failed = createAsyncCallback(this::failStage);
    private FileChannel channel;
    /** Whether reads run on the stream's own thread (see {@link #SLOW_READ_NANOS}). */
    private boolean inline = true;
    /** Inline reads in a row that were slow. */
    private int slowReads;
    /** The next byte to read. */
    private long position = first;
    /** A read done and not yet pushed. */
    private ByteString ready;
    /** Whether a read, or the wait for a growing file to reach the position, is under way. */
    private boolean reading;
    /** Budget of the last read pushed, which the socket may be sending now. */
    private long newest;
    /** Budget of the read pushed before it, which the socket has taken once downstream pulls. */
    private long older;

    Logic() {
      super(shape);
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          // Akka's TCP stage asks for more once its previous write is acknowledged (for writes
          // larger than its 16 KiB buffer): the read before the last one pushed has been sent.
          budget.release(older);
          older = newest;
          newest = 0;
          if (ready != null) {
            push(ready);
          } else {
            fetch();
          }
        }
      });
    }

    @Override
    public void preStart() {
      budget.open();
      // Opening is a metadata lookup, as quick as the reads that follow it.
      try {
        channel = open.get();
      } catch (RuntimeException e) {
        failStage(e);
      }
    }

    /**
     * Reads the next chunk once the file has it: at once for a complete file; for a growing one,
     * when its writer gets there (the wait is the only thing that leaves the stream's thread).
     */
    private void fetch() {
      if (reading || position > last) {
        return;
      }
      if (readableLimit == null) {
        read(last + 1);
        return;
      }
      CompletableFuture<Long> limit = readableLimit.apply(position).toCompletableFuture();
      if (limit.isDone() && !limit.isCompletedExceptionally()) {
        read(Math.min(limit.join(), last + 1));
        return;
      }
      reading = true;
      limit.whenComplete((end, error) -> {
        if (error != null) {
          failed.invoke(Failures.unwrap(error));
        } else {
          limitReached.invoke(end);
        }
      });
    }

    private void onLimit(long end) {
      reading = false;
      read(Math.min(end, last + 1));
    }

    /** Reads from {@code position} up to {@code end} (exclusive), as much as the budget grants. */
    private void read(long end) {
      if (!inline) {
        reading = true;
        long at = position;
        FileChannel from = channel;
        deliver(CompletableFuture.supplyAsync(() -> readChunk(from, at, budget.take(end - at)), executor),
            read, chunk -> budget.release(chunk.size()));
        return;
      }
      long started = System.nanoTime();
      ByteString chunk;
      try {
        chunk = readChunk(channel, position, budget.take(end - position));
      } catch (RuntimeException e) {
        failStage(e);
        return;
      }
      slowReads = System.nanoTime() - started > SLOW_READ_NANOS ? slowReads + 1 : 0;
      inline = slowReads < SLOW_READS;
      onRead(chunk);
    }

    private void onRead(ByteString chunk) {
      reading = false;
      position += chunk.size();
      ready = chunk;
      if (isAvailable(out)) {
        push(chunk);
      }
    }

    private void push(ByteString chunk) {
      ready = null;
      newest = chunk.size();
      push(out, chunk);
      if (position > last) {
        completeStage();
      } else if (!inline) {
        // Reads on the executor take a hop each way: read one ahead to keep the socket busy.
        fetch();
      }
    }

    /**
     * Hands {@code work}'s result to the stage; a result the stage can no longer take (it
     * stopped) is given to {@code orphan}, so that nothing it holds leaks.
     */
    private <T> void deliver(CompletionStage<T> work, AsyncCallback<T> into, Consumer<T> orphan) {
      work.whenComplete((result, error) -> {
        if (error != null) {
          failed.invoke(Failures.unwrap(error));
          return;
        }
        FutureConverters.asJava(into.invokeWithFeedback(result)).whenComplete((done, refused) -> {
          if (refused != null) {
            orphan.accept(result);
          }
        });
      });
    }

    @Override
    public void postStop() {
      budget.release(older + newest + (ready == null ? 0 : ready.size()));
      older = 0;
      newest = 0;
      ready = null;
      budget.close();
      if (channel != null) {
        // A read still running fails on the closed channel; its budget went back when it took it.
        closeQuietly(channel);
      }
    }
  }

  /**
   * Reads {@code size} bytes at {@code at}, for which the budget was taken: on failure the
   * budget is given back here, since no chunk will carry it.
   */
  private ByteString readChunk(FileChannel channel, long at, int size) {
    try {
      byte[] bytes = new byte[size];
      if (mapped && size >= MAPPED_READ_MIN) {
        MappedCopy.copy(channel, at, bytes);
      } else {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          if (channel.read(buffer, at + buffer.position()) < 0) {
            throw new IOException("unexpected end of file at " + (at + buffer.position()));
          }
        }
      }
      // The array is never touched again: wrapping it saves the copy fromByteBuffer would make.
      return ByteString.fromArrayUnsafe(bytes);
    } catch (IOException e) {
      budget.release(size);
      throw new UncheckedIOException("read blob file", e);
    } catch (RuntimeException | Error e) {
      budget.release(size);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // A read-only channel has nothing to flush.
    }
  }
}
