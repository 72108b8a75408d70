package io.layercake;

import io.layercake.oci.Digest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Compares a secret a client presented with the one configured, in time that depends on neither.
 *
 * <p>{@code String.equals} returns at the first differing character, so its timing tells an
 * attacker how much of a guess was right; {@link MessageDigest#isEqual} alone is constant-time
 * only for inputs of equal length. Hashing both sides with SHA-256 first gives two 32-byte
 * values, so the comparison reveals neither the secret's content nor its length.
 */
public final class Secrets {

  private Secrets() {}

  /**
   * Whether {@code presented} equals {@code expected}, compared in constant time. A null on
   * either side is never equal, so a missing secret can never match a missing configuration.
   */
  public static boolean equal(String presented, String expected) {
    if (presented == null || expected == null) {
      return false;
    }
    return MessageDigest.isEqual(sha256(presented), sha256(expected));
  }

  private static byte[] sha256(String text) {
    return Digest.newSha256().digest(text.getBytes(StandardCharsets.UTF_8));
  }
}
