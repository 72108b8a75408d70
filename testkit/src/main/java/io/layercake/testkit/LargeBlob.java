package io.layercake.testkit;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Random;

/**
 * A blob too large to keep in memory: its bytes live in {@link #file()}, written once in a
 * streaming pass that computed the digest and size on the way. Nothing re-reads the file to check
 * it; the writer is the only producer.
 *
 * @param digest {@code sha256:<hex>} of the file's content
 * @param mediaType the media type in the referencing descriptor
 * @param size the file's length in bytes
 * @param file where the bytes are
 */
public record LargeBlob(String digest, String mediaType, long size, Path file) {

  private static final int CHUNK = 1 << 16;

  /** Validates the fields; the file content is trusted to match (see the type comment). */
  public LargeBlob {
    Sha256.requireDigest(digest, "blob digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(file, "file");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
  }

  /**
   * Streams {@code size} seeded pseudo-random bytes to {@code file} and returns the blob. The same
   * seed and size always give the same digest. Random bytes do not compress, so a proxy's transfer
   * volume matches the size.
   */
  public static LargeBlob writeRandom(Path file, long size, long seed, String mediaType) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
    Random random = new Random(seed);
    byte[] chunk = new byte[CHUNK];
    try (Sha256.DigestingOutputStream out = new Sha256.DigestingOutputStream(openForWrite(file))) {
      long left = size;
      while (left > 0) {
        random.nextBytes(chunk);
        int n = (int) Math.min(chunk.length, left);
        out.write(chunk, 0, n);
        left -= n;
      }
      out.flush();
      return new LargeBlob(out.digest(), mediaType, out.count(), file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write large blob " + file, e);
    }
  }

  /** Opens {@code file} for writing, creating its parent directories. */
  static OutputStream openForWrite(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return new BufferedOutputStream(Files.newOutputStream(file), CHUNK);
  }
}
