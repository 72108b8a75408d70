package io.layercake.blob;

import akka.NotUsed;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.oci.Digest;
import io.layercake.storage.BlobWriter;
import io.layercake.storage.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/*
 * Implementation notes
 *
 * A fill copies one upstream body into a BlobWriter (temp file + running sha256) on the blocking
 * dispatcher. It is owned by no client: the first client's disconnect does not stop it, only the
 * fill timeout or an upstream fault does, so the cache write always finishes or fails cleanly.
 *
 * Readers tail the growing temp file instead of sharing the upstream stream, so a client that
 * arrives late still starts at byte 0 (or at its Range) without buffering anything in memory:
 * each reader holds one file channel and one chunk at a time, and Akka HTTP's backpressure paces
 * it. A reader that catches up waits on a progress signal that the writer completes after each
 * chunk.
 *
 * Never wrong: until the digest is verified, readers may read all but the LAST byte. If the
 * content turns out to be bad, every reader fails before its response is complete, so a client
 * can never receive a full-length body that is not the blob it asked for. The held-back byte is
 * released as soon as size and sha256 match, before the commit's fsyncs: what readers get is then
 * proven to be the blob, and making the cache's copy durable (a second or more for a large layer
 * on a slow disk) must not add to every cold pull. If the commit itself fails, the blob is simply
 * not cached and the next pull fetches it again.
 *
 * A reader opens the temp file, or the committed file if the rename won the race; an open file
 * stays readable through the rename. Commit does its fsyncs holding no lock that readers wait on.
 */

/** One blob being fetched from upstream, streamed to any number of readers while it fills. */
public final class BlobFill {

  /** The least a caught-up reader waits for, unless the blob's end comes first. */
  private static final long READ_BATCH = 64 * 1024;

  private final Digest digest;
  private final long size;
  private final BlobWriter writer;
  private final FileRangeSource reads;
  private final CompletableFuture<StoredBlob> completion = new CompletableFuture<>();

  private CompletableFuture<Void> progress;
  private volatile boolean verified;
  private volatile StoredBlob committed;
  private volatile Throwable failure;

  private BlobFill(Digest digest, long size, BlobWriter writer, FileRangeSource reads) {
    this.reads = reads;
    this.digest = digest;
    this.size = size;
    this.writer = writer;
  }

  /**
   * Starts copying {@code body} into {@code writer}.
   *
   * @param size the size upstream announced
   * @param fillTimeout the longest a whole fill may take, whoever is still reading
   * @param blockingDispatcher the dispatcher for file writes
   */
  public static BlobFill start(Digest digest, long size, Source<ByteString, NotUsed> body,
      BlobWriter writer, Duration fillTimeout, String blockingDispatcher,
      Executor blockingExecutor, FileRangeSource reads, Materializer materializer) {
    BlobFill fill = new BlobFill(digest, size, writer, reads);
    body.completionTimeout(fillTimeout)
        .runWith(Sink.<ByteString>foreach(fill::append).async(blockingDispatcher), materializer)
        .whenCompleteAsync((done, error) -> fill.finish(error), blockingExecutor);
    return fill;
  }

  /** The blob's digest. */
  public Digest digest() {
    return digest;
  }

  /** The blob's size as upstream announced it. */
  public long size() {
    return size;
  }

  /** Whether the fill has failed: nothing more will come from it. */
  public boolean hasFailed() {
    return failure != null;
  }

  /** Completes with the committed blob, or fails with why the fill failed. */
  public CompletionStage<StoredBlob> completion() {
    return completion;
  }

  /**
   * Streams bytes {@code first..last} (inclusive) as they arrive. The source fails if the fill
   * fails, before it has emitted the last byte of the blob.
   */
  public Source<ByteString, NotUsed> read(long first, long last) {
    return reads.ofGrowing(this::openChannel, first, last, this::awaitReadable);
  }

  private void append(ByteString chunk) throws IOException {
    for (ByteBuffer buffer : chunk.getByteBuffers()) {
      writer.write(buffer);
    }
    signalProgress();
  }

  private void finish(Throwable error) {
    if (error == null) {
      try {
        writer.verify();
        verified = true;
        signalProgress();
        StoredBlob stored = writer.commit(null);
        committed = stored;
        signalProgress();
        completion.complete(stored);
        return;
      } catch (IOException | RuntimeException e) {
        error = e;
      }
    }
    writer.abort();
    failure = error;
    signalProgress();
    completion.completeExceptionally(error);
  }

  /** Bytes readers may have: everything once verified, all but the last byte before. */
  private long readableLimit() {
    return verified ? size : Math.max(0, Math.min(writer.written(), size - 1));
  }

  private FileChannel openChannel() {
    if (committed != null) {
      return FileRangeSource.open(committed.path());
    }
    try {
      return FileChannel.open(writer.tempPath(), StandardOpenOption.READ);
    } catch (NoSuchFileException movedOrGone) {
      // Committed (renamed) since the check above, or failed; if failed, the open fails too.
      return FileRangeSource.open(writer.committedPath());
    } catch (IOException e) {
      throw new UncheckedIOException("open the fill of " + digest, e);
    }
  }

  private CompletionStage<Long> awaitReadable(long position) {
    CompletableFuture<Void> signal;
    synchronized (this) {
      Optional<CompletionStage<Long>> ready = readyState(position);
      if (ready.isPresent()) {
        return ready.get();
      }
      if (progress == null) {
        progress = new CompletableFuture<>();
      }
      signal = progress;
    }
    return signal.thenCompose(ignored -> awaitReadable(position));
  }

  private Optional<CompletionStage<Long>> readyState(long position) {
    Throwable failed = failure;
    if (failed != null) {
      return Optional.of(CompletableFuture.failedFuture(failed));
    }
    long limit = readableLimit();
    // A reader that has caught up waits for a batch rather than waking for every upstream chunk
    // (often a few kilobytes): with dozens of readers on one fill, that is the difference between
    // a few large reads and a storm of tiny ones. The end of the blob is never held back by this.
    boolean enough = limit - position >= READ_BATCH || limit >= size - 1;
    return limit > position && enough
        ? Optional.of(CompletableFuture.completedFuture(limit)) : Optional.empty();
  }

  private void signalProgress() {
    CompletableFuture<Void> signal;
    synchronized (this) {
      signal = progress;
      progress = null;
    }
    if (signal != null) {
      signal.complete(null);
    }
  }
}
