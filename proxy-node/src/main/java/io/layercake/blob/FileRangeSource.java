package io.layercake.blob;

import akka.Done;
import akka.NotUsed;
import akka.japi.Pair;
import akka.stream.Attributes;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Streams a byte range of a file in fixed chunks, one chunk in memory at a time, with every read on
 * the blocking executor. The file may still be growing: before each chunk the source asks how far
 * it may read, and that answer may arrive later (a fill in progress) or fail (a fill that broke).
 */
public final class FileRangeSource {

  /**
   * Chunk size: large enough for throughput, small enough that many readers stay cheap. Every
   * chunk in flight is heap that outlives young collections while sockets drain: with 256 KiB
   * chunks a 32-runner herd (96 streams) kept about 55 MB in flight, and the 256 MB default heap
   * ran full collections back to back (60 in one herd; 6 with 64 KiB).
   */
  static final int CHUNK_SIZE = 64 * 1024;

  /** Chunks a complete file's reader holds ahead of the socket. */
  private static final int READ_AHEAD_CHUNKS = 4;

  private FileRangeSource() {}

  /**
   * Bytes {@code first..last} of a complete file, through Akka's file source: one stage on its
   * blocking dispatcher reading ahead, without a hop between threads per chunk, which is what a
   * hot blob served to many clients needs.
   */
  public static Source<ByteString, NotUsed> ofFile(Path path, long first, long last) {
    long length = last - first + 1;
    return FileIO.fromPath(path, CHUNK_SIZE, first)
        .mapMaterializedValue(io -> NotUsed.getInstance())
        .via(limit(length))
        // The file source reads ahead, and the stage after its async boundary buffers, as many
        // chunks as an input buffer holds: 16 by default, 4 MB per reader. A few keep the socket
        // busy; more is heap that every young collection copies while it is in flight.
        .addAttributes(Attributes.inputBuffer(1, READ_AHEAD_CHUNKS));
  }

  /** Passes the first {@code length} bytes and completes; the file source would go on to EOF. */
  private static Flow<ByteString, ByteString, NotUsed> limit(long length) {
    return Flow.<ByteString>create()
        .statefulMap(() -> length, (Long left, ByteString chunk) -> {
          long wanted = left;
          ByteString kept = chunk.size() <= wanted ? chunk : chunk.take((int) wanted);
          long rest = wanted - kept.size();
          return Pair.create(rest, Pair.create(kept, rest));
        }, left -> Optional.empty())
        .takeWhile(pair -> pair.second() > 0, true)
        .map(Pair::first)
        .filter(chunk -> !chunk.isEmpty());
  }

  /**
   * Bytes {@code first..last} of a file that may be growing.
   *
   * @param open opens the file, on the executor
   * @param readableLimit for a position, completes with the exclusive end of what may be read
   *     once that is beyond the position; fails if the file will never get there
   */
  static Source<ByteString, NotUsed> of(Supplier<FileChannel> open, long first, long last,
      LongFunction<CompletionStage<Long>> readableLimit, Executor executor) {
    // Bounded like ofFile: a reader that caught up with its fill waits there, but one that is
    // behind must not pile chunks up after the async boundary.
    return Source.unfoldResourceAsync(
        () -> CompletableFuture.supplyAsync(() -> new Cursor(open.get(), first), executor),
        cursor -> {
          if (cursor.position > last) {
            return CompletableFuture.completedFuture(Optional.empty());
          }
          return readableLimit.apply(cursor.position)
              .thenApplyAsync(limit -> Optional.of(cursor.read(Math.min(limit - 1, last))), executor);
        },
        cursor -> CompletableFuture.supplyAsync(cursor::close, executor))
        .addAttributes(Attributes.inputBuffer(1, READ_AHEAD_CHUNKS));
  }

  static FileChannel open(Path path) {
    try {
      return FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new UncheckedIOException("open " + path, e);
    }
  }

  /** One reader's open file and position. */
  private static final class Cursor {
    private final FileChannel channel;
    private long position;

    Cursor(FileChannel channel, long position) {
      this.channel = channel;
      this.position = position;
    }

    ByteString read(long lastInclusive) {
      int length = (int) Math.min(CHUNK_SIZE, lastInclusive - position + 1);
      byte[] bytes = new byte[length];
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      try {
        while (buffer.hasRemaining()) {
          if (channel.read(buffer, position + buffer.position()) < 0) {
            throw new IOException("unexpected end of file at " + (position + buffer.position()));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("read blob file", e);
      }
      position += length;
      // The array is never touched again: wrapping it saves the copy fromByteBuffer would make.
      return ByteString.fromArrayUnsafe(bytes);
    }

    Done close() {
      try {
        channel.close();
      } catch (IOException e) {
        // A read-only channel has nothing to flush.
      }
      return Done.getInstance();
    }
  }
}
