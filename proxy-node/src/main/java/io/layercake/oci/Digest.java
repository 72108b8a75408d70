package io.layercake.oci;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * A content digest, {@code sha256:<64 lowercase hex>}. Only sha256 is accepted: it is what Docker
 * Hub and every OCI client use, and the hex part names a file on disk, so the grammar is kept
 * deliberately narrow.
 */
public record Digest(String hex) implements Comparable<Digest> {

  /** The only algorithm accepted. */
  public static final String ALGORITHM = "sha256";

  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** Validates the hex part; use {@link #parse} for the full form. */
  public Digest {
    if (hex == null || !HEX.matcher(hex).matches()) {
      throw new OciException(ErrorCode.DIGEST_INVALID, "invalid digest", quote(hex));
    }
  }

  /**
   * Parses {@code sha256:<hex>}.
   *
   * @throws OciException with {@link ErrorCode#DIGEST_INVALID} naming the bad input
   */
  public static Digest parse(String text) {
    if (text == null || !text.startsWith(ALGORITHM + ":")) {
      throw new OciException(
          ErrorCode.DIGEST_INVALID, "invalid digest", "expected sha256:<64 hex>, got " + quote(text));
    }
    return new Digest(text.substring(ALGORITHM.length() + 1));
  }

  /** Whether {@code text} is a valid digest. */
  public static boolean isDigest(String text) {
    return text != null
        && text.startsWith(ALGORITHM + ":")
        && HEX.matcher(text.substring(ALGORITHM.length() + 1)).matches();
  }

  /** A fresh SHA-256 hasher. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest sha256Of(byte[] bytes) {
    return ofSha256Bytes(newSha256().digest(bytes));
  }

  /** Builds a digest from the 32 raw bytes of a sha256 hash. */
  public static Digest ofSha256Bytes(byte[] hash) {
    if (hash.length != 32) {
      throw new IllegalArgumentException("sha256 hash must be 32 bytes, got " + hash.length);
    }
    return new Digest(java.util.HexFormat.of().formatHex(hash));
  }

  @Override
  public int compareTo(Digest other) {
    return hex.compareTo(other.hex);
  }

  /** The canonical form, {@code sha256:<hex>}. */
  @Override
  public String toString() {
    return ALGORITHM + ":" + hex;
  }

  static String quote(String text) {
    if (text == null) {
      return "null";
    }
    String shown = text.length() > 100 ? text.substring(0, 100) + "..." : text;
    StringBuilder out = new StringBuilder("\"");
    for (char c : shown.toCharArray()) {
      out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return out.append('"').toString();
  }
}
