package io.layercake.oci;

import java.util.Optional;

/**
 * What follows {@code /manifests/} in a request: a tag, or a digest. Tags are mutable pointers and
 * go through revalidation; digests are immutable content.
 */
public sealed interface Reference permits Reference.ByTag, Reference.ByDigest {

  /**
   * Parses a tag or a digest.
   *
   * @throws OciException with TAG_INVALID or DIGEST_INVALID naming the bad input
   */
  static Reference parse(String text) {
    if (text != null && text.contains(":")) {
      return new ByDigest(Digest.parse(text));
    }
    return new ByTag(Tag.parse(text));
  }

  /** The digest, when this reference is one. */
  Optional<Digest> digest();

  /** A reference by tag. */
  record ByTag(Tag tag) implements Reference {
    @Override
    public Optional<Digest> digest() {
      return Optional.empty();
    }

    @Override
    public String toString() {
      return tag.toString();
    }
  }

  /** A reference by digest. */
  record ByDigest(Digest value) implements Reference {
    @Override
    public Optional<Digest> digest() {
      return Optional.of(value);
    }

    @Override
    public String toString() {
      return value.toString();
    }
  }
}
