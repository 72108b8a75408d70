package io.layercake.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A manifest or an index (manifest list) exactly as a registry stores and serves it. The digest is
 * the sha256 of these bytes and is checked on construction; the bytes are never re-serialised.
 *
 * @param digest {@code sha256:<hex>} of {@code bytes}
 * @param mediaType the manifest's media type, sent as {@code Content-Type}
 * @param bytes the exact JSON bytes; not copied, so callers must not modify them
 */
public record Manifest(String digest, String mediaType, byte[] bytes) {

  /** Validates that {@code digest} is the sha256 of {@code bytes}. */
  public Manifest {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(bytes, "bytes");
    Sha256.requireDigest(digest, "manifest digest");
    String actual = Sha256.digest(bytes);
    if (!actual.equals(digest)) {
      throw new IllegalArgumentException(
          "manifest bytes have digest " + actual + ", not " + digest);
    }
  }

  /** A manifest named by the digest of {@code bytes}. */
  public static Manifest of(String mediaType, byte[] bytes) {
    return new Manifest(Sha256.digest(bytes), mediaType, bytes);
  }

  /** The size in bytes, as written in descriptors and {@code Content-Length}. */
  public long size() {
    return bytes.length;
  }

  /** Whether this is an OCI index or a Docker manifest list rather than a single image. */
  public boolean isIndex() {
    return MediaTypes.isIndex(mediaType);
  }

  /** The JSON as text, for assertions and failure messages. */
  public String json() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  // equality by content: the generated record methods would compare array identity

  @Override
  public boolean equals(Object other) {
    return other instanceof Manifest that
        && digest.equals(that.digest)
        && mediaType.equals(that.mediaType)
        && Arrays.equals(bytes, that.bytes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(digest, mediaType);
  }

  @Override
  public String toString() {
    return "Manifest[" + digest + ", " + mediaType + ", " + bytes.length + " bytes]";
  }
}
