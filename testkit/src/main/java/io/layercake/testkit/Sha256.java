package io.layercake.testkit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * sha256 digests in the registry's text form, {@code sha256:<64 lowercase hex>}, for test fixtures.
 * The testkit keeps digests as strings so that fixtures stay independent of the main sources they
 * are used to test.
 */
public final class Sha256 {

  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Sha256() {}

  /** The digest of {@code bytes}. */
  public static String digest(byte[] bytes) {
    MessageDigest sha = newMessageDigest();
    sha.update(bytes);
    return format(sha);
  }

  /** Whether {@code text} is a well-formed sha256 digest. */
  public static boolean isDigest(String text) {
    return text != null && DIGEST.matcher(text).matches();
  }

  /** The hex part of a digest, which names blob files on disk; rejects malformed digests. */
  public static String hex(String digest) {
    requireDigest(digest, "digest");
    return digest.substring("sha256:".length());
  }

  /** Throws naming {@code what} unless {@code text} is a well-formed digest. */
  static void requireDigest(String text, String what) {
    if (!isDigest(text)) {
      throw new IllegalArgumentException(what + " must be sha256:<64 lowercase hex>, got " + text);
    }
  }

  /** A fresh sha256 {@link MessageDigest}. */
  static MessageDigest newMessageDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      // every Java platform is required to provide SHA-256
      throw new IllegalStateException(e);
    }
  }

  /** Completes {@code sha} and formats the result as a digest. */
  static String format(MessageDigest sha) {
    return "sha256:" + HexFormat.of().formatHex(sha.digest());
  }

  /**
   * An output stream that hashes and counts what passes through it, so a blob written in one pass
   * gets its digest and size without being read back.
   */
  static final class DigestingOutputStream extends FilterOutputStream {
    private final MessageDigest sha = newMessageDigest();
    private long count;

    DigestingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      sha.update((byte) b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      // FilterOutputStream would forward byte by byte; pass the whole slice through
      out.write(b, off, len);
      sha.update(b, off, len);
      count += len;
    }

    /** Bytes written so far. */
    long count() {
      return count;
    }

    /** The digest of everything written; call once, after the last write. */
    String digest() {
      return format(sha);
    }
  }
}
