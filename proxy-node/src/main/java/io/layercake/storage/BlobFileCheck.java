package io.layercake.storage;

import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Reads one committed blob file, in slices of any size, and says whether it is the blob its name
 * says: the size the index recorded (when there is a record) and the sha256 of the digest. The
 * scrub reads a slice per step to keep to its rate; recovery reads a file in one go.
 *
 * <p>Not thread-safe: one caller at a time.
 */
final class BlobFileCheck implements AutoCloseable {

  private static final int BUFFER_SIZE = 256 * 1024;

  private final Digest digest;
  private final long expectedSize;
  private final FileChannel channel;
  private final FileIdentity identity;
  private final long fileSize;
  private final MessageDigest sha256;
  private final ByteBuffer buffer;
  private long position;
  private String failure;
  private boolean finished;

  private BlobFileCheck(Digest digest, long expectedSize, FileChannel channel, BasicFileAttributes attributes) {
    this.digest = digest;
    this.expectedSize = expectedSize;
    this.channel = channel;
    this.identity = FileIdentity.of(attributes);
    this.fileSize = attributes.size();
    // No bigger than the file: the scrub may open dozens of small blobs per step, and a quarter
    // mebibyte of garbage for each would be felt by a small heap.
    this.buffer = ByteBuffer.allocate((int) Math.max(1, Math.min(BUFFER_SIZE, fileSize)));
    this.sha256 = Digest.newSha256();
  }

  /**
   * Opens the file at {@code path} for a check.
   *
   * @param expectedSize the size the index recorded, or -1 for a file the index lacks
   * @return the check, or empty if there is no file, or it was replaced while being opened (a
   *     fill's rename; the new file is checked another time)
   */
  static Optional<BlobFileCheck> open(Path path, Digest digest, long expectedSize) throws IOException {
    BasicFileAttributes before;
    FileChannel channel;
    try {
      before = Files.readAttributes(path, BasicFileAttributes.class);
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    }
    // There is no fstat in Java: a second stat tells whether the file opened is the one stat'ed.
    Optional<FileIdentity> after = FileIdentity.at(path);
    if (after.isEmpty() || !after.get().equals(FileIdentity.of(before))) {
      channel.close();
      return Optional.empty();
    }
    return Optional.of(new BlobFileCheck(digest, expectedSize, channel, before));
  }

  /** The blob the file is named for. */
  Digest digest() {
    return digest;
  }

  /** The file that is being read. */
  FileIdentity identity() {
    return identity;
  }

  /** What is wrong with the file's size, judged from its attributes alone (no read), if anything. */
  Optional<String> sizeFailure() {
    if (expectedSize >= 0 && fileSize != expectedSize) {
      return Optional.of("the file has " + fileSize + " bytes, the index says " + expectedSize);
    }
    return Optional.empty();
  }

  /**
   * Reads and hashes up to {@code maxBytes} more of the file; reaching its end finishes the check.
   *
   * @return the bytes read by this call
   */
  long read(long maxBytes) throws IOException {
    long read = 0;
    while (!finished && read < maxBytes) {
      buffer.clear();
      buffer.limit((int) Math.min(buffer.capacity(), maxBytes - read));
      int n = channel.read(buffer, position);
      if (n < 0) {
        finish();
        break;
      }
      buffer.flip();
      sha256.update(buffer);
      position += n;
      read += n;
      if (expectedSize >= 0 && position > expectedSize) {
        failure = "the file has more than the " + expectedSize + " bytes the index says";
        finished = true;
      }
    }
    return read;
  }

  /** Reads the rest of the file. */
  void readAll() throws IOException {
    read(Long.MAX_VALUE);
  }

  private void finish() {
    finished = true;
    if (expectedSize >= 0 && position != expectedSize) {
      failure = "the file has " + position + " bytes, the index says " + expectedSize;
      return;
    }
    Digest actual = Digest.ofSha256Bytes(sha256.digest());
    if (!actual.equals(digest)) {
      failure = "the file's bytes have digest " + actual;
    }
  }

  /** Bytes read so far. */
  long bytesRead() {
    return position;
  }

  /** Whether the whole file has been read (or enough of it to fail). */
  boolean finished() {
    return finished;
  }

  /** Once finished: what is wrong with the file, or empty if it is the blob. */
  Optional<String> failure() {
    if (!finished) {
      throw new IllegalStateException("the check of " + digest + " has not finished");
    }
    return Optional.ofNullable(failure);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Only read from; nothing to lose.
    }
  }
}
