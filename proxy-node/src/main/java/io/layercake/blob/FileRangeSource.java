package io.layercake.blob;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Streams byte ranges of blob files, complete or still growing, in reads sized by the node's
 * {@link ReadBudget}: whatever the number of streams, the bytes read and not yet sent stay within
 * the budget. Reads run on the connection's own thread, or on the blocking executor for a stream
 * whose reads turned out slow (see {@link FileRangeStage}).
 */
public final class FileRangeSource {

  private final ReadBudget budget;
  private final Executor executor;

  public FileRangeSource(ReadBudget budget, Executor executor) {
    this.budget = budget;
    this.executor = executor;
  }

  /** Bytes {@code first..last} of a complete file. */
  public Source<ByteString, NotUsed> ofFile(Path path, long first, long last) {
    return Source.fromGraph(new FileRangeStage(() -> open(path), first, last, null, budget, executor));
  }

  /**
   * Bytes {@code first..last} of a file that may be growing.
   *
   * @param open opens the file, on the executor
   * @param readableLimit for a position, completes with the exclusive end of what may be read
   *     once that is beyond the position; fails if the file will never get there
   */
  Source<ByteString, NotUsed> ofGrowing(Supplier<FileChannel> open, long first, long last,
      LongFunction<CompletionStage<Long>> readableLimit) {
    return Source.fromGraph(new FileRangeStage(open, first, last, readableLimit, budget, executor));
  }

  /** The budget the reads draw from. */
  public ReadBudget budget() {
    return budget;
  }

  static FileChannel open(Path path) {
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("open " + path, e);
    }
  }
}
