package io.layercake.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a layer, a gzip-compressed ustar archive of seeded pseudo-random files, in one streaming
 * pass that computes both digests a layer has: the digest of the compressed blob (what manifests
 * and registries name it by) and the diff ID, the digest of the uncompressed tar (what the image
 * config lists in {@code rootfs.diff_ids}).
 *
 * <p>The same files and seed always give the same bytes on a given JVM: the tar headers are fixed,
 * and the gzip header carries no timestamp or file name.
 */
final class LayerWriter {

  private static final int CHUNK = 1 << 16;

  /** Directory inside the archive that holds a layer's files. */
  private static final String ROOT = "layercake";

  /** A layer kept in memory, with the digest of its uncompressed tar. */
  record MemoryLayer(Blob blob, String diffId) {}

  /** A layer written to a file, with the digest of its uncompressed tar. */
  record FileLayer(LargeBlob blob, String diffId) {}

  /** What one streaming pass produced. */
  private record WrittenLayer(String digest, long size, String diffId) {}

  private LayerWriter() {}

  /** Writes a layer holding one file per entry of {@code fileSizes} into memory. */
  static MemoryLayer inMemory(List<Long> fileSizes, long seed, String mediaType) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    WrittenLayer layer = write(bytes, fileSizes, seed);
    return new MemoryLayer(
        new Blob(layer.digest(), mediaType, bytes.toByteArray()), layer.diffId());
  }

  /**
   * Streams a layer holding one file per entry of {@code fileSizes} into {@code directory}, for
   * layers too large to keep in memory. The file is named by the blob's hex digest, so layers of
   * different images can share a directory; it is written under a temporary name first, since the
   * digest is known only at the end.
   */
  static FileLayer toFile(Path directory, List<Long> fileSizes, long seed, String mediaType) {
    try {
      Files.createDirectories(directory);
      Path partial = Files.createTempFile(directory, "layer-", ".partial");
      WrittenLayer layer;
      try (OutputStream out = LargeBlob.openForWrite(partial)) {
        layer = write(out, fileSizes, seed);
      }
      // an existing file of that name has the same content: it has the same digest
      Path file = directory.resolve(Sha256.hex(layer.digest()));
      Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING);
      return new FileLayer(
          new LargeBlob(layer.digest(), mediaType, layer.size(), file), layer.diffId());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write a layer in " + directory, e);
    }
  }

  private static WrittenLayer write(OutputStream target, List<Long> fileSizes, long seed) {
    Random random = new Random(seed);
    byte[] chunk = new byte[CHUNK];
    Sha256.DigestingOutputStream compressed = new Sha256.DigestingOutputStream(target);
    // closing the gzip stream releases the native deflater; it also closes the target
    try (GZIPOutputStream gzip = new FastGzipOutputStream(compressed)) {
      Sha256.DigestingOutputStream uncompressed = new Sha256.DigestingOutputStream(gzip);
      UstarWriter tar = new UstarWriter(uncompressed);
      tar.addDirectory(ROOT);
      for (int i = 0; i < fileSizes.size(); i++) {
        long size = fileSizes.get(i);
        tar.beginFile(String.format("%s/file-%03d.bin", ROOT, i), size);
        long left = size;
        while (left > 0) {
          random.nextBytes(chunk);
          int n = (int) Math.min(chunk.length, left);
          tar.write(chunk, 0, n);
          left -= n;
        }
        tar.endFile();
      }
      tar.finish();
      gzip.finish();
      compressed.flush();
      return new WrittenLayer(compressed.digest(), compressed.count(), uncompressed.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write layer", e);
    }
  }

  /**
   * gzip at the fastest level: the content is random and does not compress anyway, and this keeps
   * generating a 100 MB layer to a few seconds.
   */
  private static final class FastGzipOutputStream extends GZIPOutputStream {
    FastGzipOutputStream(OutputStream out) throws IOException {
      super(out, CHUNK);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
