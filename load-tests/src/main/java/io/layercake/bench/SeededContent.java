package io.layercake.bench;

import akka.util.ByteString;
import io.layercake.oci.Digest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Benchmark input that is the same on every run: pseudo-random bytes and digests drawn from a
 * fixed seed, so that two runs (or two machines) measure the same work.
 */
final class SeededContent {

  private SeededContent() {}

  /** {@code size} pseudo-random bytes; the same {@code seed} always gives the same bytes. */
  static byte[] bytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  /**
   * {@code count} distinct digests in a seeded order. They are random 32-byte values, not hashes of
   * any content: an index only needs well-spread keys of the real shape.
   */
  static List<Digest> digests(int count, long seed) {
    Random random = new Random(seed);
    Set<Digest> digests = new LinkedHashSet<>();
    byte[] hash = new byte[32];
    while (digests.size() < count) {
      random.nextBytes(hash);
      digests.add(Digest.ofSha256Bytes(hash));
    }
    return new ArrayList<>(digests);
  }

  /**
   * {@code bytes} cut into chunks of {@code chunkSize} (the last one shorter), as an HTTP entity
   * stream delivers a body. The chunks share {@code bytes}; nothing is copied.
   */
  static List<ByteString> chunks(byte[] bytes, int chunkSize) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive, was " + chunkSize);
    }
    List<ByteString> chunks = new ArrayList<>();
    ByteString whole = ByteString.fromArrayUnsafe(bytes);
    for (int from = 0; from < bytes.length; from += chunkSize) {
      chunks.add(whole.slice(from, Math.min(bytes.length, from + chunkSize)));
    }
    return chunks;
  }
}
