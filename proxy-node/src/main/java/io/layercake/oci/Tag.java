package io.layercake.oci;

import java.util.regex.Pattern;

/** A tag such as {@code latest} or {@code 7.2}, validated to the distribution spec's grammar. */
public record Tag(String value) {

  private static final Pattern GRAMMAR = Pattern.compile("[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}");

  /** Validates the tag. */
  public Tag {
    if (value == null || !GRAMMAR.matcher(value).matches()) {
      throw new OciException(ErrorCode.TAG_INVALID, "invalid tag", Digest.quote(value));
    }
  }

  /**
   * Parses a tag.
   *
   * @throws OciException with {@link ErrorCode#TAG_INVALID} naming the bad input
   */
  public static Tag parse(String text) {
    return new Tag(text);
  }

  @Override
  public String toString() {
    return value;
  }
}
