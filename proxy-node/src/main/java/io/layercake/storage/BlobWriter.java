package io.layercake.storage;

import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one blob to a temp file while hashing it, and commits it only when the bytes are complete
 * and their sha256 is the expected digest. Nothing reaches {@code blobs/} any other way, so a file
 * there is always a verified copy.
 *
 * <p>Not thread-safe: one writer thread at a time. Readers may read the temp file concurrently up
 * to {@link #written()}.
 */
public final class BlobWriter implements AutoCloseable {

  private final BlobStore store;
  private final Digest expected;
  private final long expectedSize;
  private final Path tempPath;
  private final FileChannel channel;
  private final MessageDigest sha256;
  private volatile long written;
  private boolean verified;
  private boolean closed;
  /** Bytes of this writer counted in the store's pending bytes; -1 once committed or aborted. */
  private final AtomicLong counted = new AtomicLong();
  /** Whether the store has been told this writer is done (committed or given up). */
  private final AtomicBoolean done = new AtomicBoolean();

  BlobWriter(BlobStore store, Digest expected, long expectedSize, Path tempPath) throws IOException {
    this.store = store;
    this.expected = expected;
    this.expectedSize = expectedSize;
    this.tempPath = tempPath;
    this.channel = FileChannel.open(tempPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    this.sha256 = Digest.newSha256();
  }

  /** The digest the content must have. */
  public Digest digest() {
    return expected;
  }

  /** The temp file being written; readers may open it to stream a fill as it grows. */
  public Path tempPath() {
    return tempPath;
  }

  /** Where the blob will be once committed. */
  public Path committedPath() {
    return store.pathOf(expected);
  }

  /** Bytes written so far. Safe to read from any thread. */
  public long written() {
    return written;
  }

  /**
   * Appends bytes. Fails if they would exceed the expected size: an upstream sending more than it
   * announced is sending something else.
   */
  public void write(ByteBuffer bytes) throws IOException {
    int length = bytes.remaining();
    if (expectedSize >= 0 && written + length > expectedSize) {
      throw new OciException(ErrorCode.DIGEST_INVALID, "blob larger than announced",
          expected + ": more than " + expectedSize + " bytes");
    }
    sha256.update(bytes.duplicate());
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
    written += length;
    if (counted.getAndUpdate(bytesCounted -> bytesCounted < 0 ? bytesCounted : bytesCounted + length) >= 0) {
      store.wrote(length);
    }
  }

  /**
   * Checks the bytes written against the digest: the size must be the announced one and the
   * sha256 must match. Once this returns, the temp file holds exactly the blob, durable or not.
   * Calling it again does nothing.
   *
   * @throws OciException with DIGEST_INVALID if the content is not what the digest says; the temp
   *     file is removed
   */
  public void verify() throws IOException {
    if (verified) {
      return;
    }
    try {
      if (expectedSize >= 0 && written != expectedSize) {
        throw new OciException(ErrorCode.DIGEST_INVALID, "blob size mismatch",
            expected + ": got " + written + " bytes, expected " + expectedSize);
      }
      Digest actual = Digest.ofSha256Bytes(sha256.digest());
      if (!actual.equals(expected)) {
        throw new OciException(ErrorCode.DIGEST_INVALID, "blob digest mismatch",
            "the fetched blob has digest " + actual + ", but the requested digest was " + expected);
      }
      verified = true;
    } catch (RuntimeException e) {
      abort();
      throw e;
    }
  }

  /**
   * Verifies (if not done yet) and commits: the file is fsynced, atomically moved to its content
   * address and indexed.
   *
   * @param mediaType the manifest media type to index, or null for layers and configs
   * @throws OciException with DIGEST_INVALID if the content is not what the digest says; the temp
   *     file is removed
   */
  public StoredBlob commit(String mediaType) throws IOException {
    verify();
    try {
      channel.force(true);
      channel.close();
      closed = true;
      StoredBlob stored = store.commit(this, mediaType);
      writerDone();
      return stored;
    } catch (IOException | RuntimeException e) {
      abort();
      throw e;
    }
  }

  /** Drops the temp file. Safe to call more than once. */
  public void abort() {
    close();
    releaseReservation();
    try {
      Files.deleteIfExists(tempPath);
    } catch (IOException e) {
      // Start-up removes every leftover temp file, so this is not lost.
    }
  }

  /** Stops counting this writer's bytes as pending in the store, once. */
  void releaseReservation() {
    long bytes = counted.getAndSet(-1);
    if (bytes > 0) {
      store.released(bytes);
    }
  }

  /** Tells the store, once, that this writer no longer writes (see BlobStore.isBeingWritten). */
  private void writerDone() {
    if (done.compareAndSet(false, true)) {
      store.writerDone(expected);
    }
  }

  @Override
  public void close() {
    releaseReservation();
    writerDone();
    if (!closed) {
      closed = true;
      try {
        channel.close();
      } catch (IOException e) {
        // Closing after a failure; the temp file is removed by abort() or at start-up.
      }
    }
  }
}
