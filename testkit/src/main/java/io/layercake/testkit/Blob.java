package io.layercake.testkit;

import java.util.Arrays;
import java.util.Objects;

/**
 * A blob held in memory: a layer or an image config, with the media type its manifest gives it. The
 * digest is checked against the bytes on construction, so a fixture can never serve content under
 * the wrong name by accident.
 *
 * @param digest {@code sha256:<hex>} of {@code bytes}
 * @param mediaType the media type in the referencing manifest's descriptor
 * @param bytes the exact content; not copied, so callers must not modify it
 */
public record Blob(String digest, String mediaType, byte[] bytes) {

  /** Validates that {@code digest} is the sha256 of {@code bytes}. */
  public Blob {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(bytes, "bytes");
    Sha256.requireDigest(digest, "blob digest");
    String actual = Sha256.digest(bytes);
    if (!actual.equals(digest)) {
      throw new IllegalArgumentException("blob bytes have digest " + actual + ", not " + digest);
    }
  }

  /** A blob named by the digest of {@code bytes}. */
  public static Blob of(String mediaType, byte[] bytes) {
    return new Blob(Sha256.digest(bytes), mediaType, bytes);
  }

  /** The size in bytes, as written in descriptors. */
  public long size() {
    return bytes.length;
  }

  // equality by content: the generated record methods would compare array identity

  @Override
  public boolean equals(Object other) {
    return other instanceof Blob that
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
    return "Blob[" + digest + ", " + mediaType + ", " + bytes.length + " bytes]";
  }
}
