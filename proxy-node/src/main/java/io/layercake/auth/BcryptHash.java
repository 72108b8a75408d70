package io.layercake.auth;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bcrypt hash as {@code htpasswd -B} writes it: {@code $2y$}, {@code $2a$} or {@code $2b$}, a
 * two-digit cost from 04 to 31, then 53 characters of bcrypt's base64 (22 of salt, 31 of hash).
 * Validated on construction, so a loaded file holds no hash that bcrypt would reject at login.
 *
 * <p>The hash is not the password, but it allows an offline guessing attack, so it is never part
 * of a message, a log line or {@link #toString()}.
 *
 * @param value the hash as written in the file
 */
public record BcryptHash(String value) {

  private static final Pattern FORMAT = Pattern.compile("\\$2[aby]\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");
  /** The lowest cost bcrypt accepts. */
  static final int MIN_COST = 4;
  /** The highest cost bcrypt accepts. */
  static final int MAX_COST = 31;

  /** Validates the format and the cost; the message never contains the value. */
  public BcryptHash {
    if (value == null) {
      throw new IllegalArgumentException("no hash");
    }
    Matcher matcher = FORMAT.matcher(value);
    if (!matcher.matches()) {
      throw new IllegalArgumentException(describeOther(value)
          + "; only bcrypt hashes are accepted: set the password again with htpasswd -B");
    }
    int cost = Integer.parseInt(matcher.group(1));
    if (cost < MIN_COST || cost > MAX_COST) {
      throw new IllegalArgumentException("a bcrypt hash with cost " + cost + ", outside "
          + MIN_COST + " to " + MAX_COST);
    }
  }

  /** The cost factor: bcrypt runs 2^cost rounds. */
  public int cost() {
    return Integer.parseInt(value.substring(4, 6));
  }

  /**
   * Names the scheme of a hash that is not bcrypt by its well-known prefix only: the rest of the
   * hash, or a plain-text password, must not reach the message.
   */
  private static String describeOther(String hash) {
    if (hash.startsWith("$apr1$")) {
      return "an MD5 hash ($apr1$, htpasswd -m, the default of older htpasswd)";
    } else if (hash.startsWith("{SHA}")) {
      return "a SHA-1 hash ({SHA}, htpasswd -s)";
    } else if (hash.startsWith("$1$")) {
      return "an MD5-crypt hash ($1$)";
    } else if (hash.startsWith("$5$") || hash.startsWith("$6$")) {
      return "a SHA-crypt hash (" + hash.substring(0, 3) + ")";
    } else if (hash.startsWith("$2")) {
      return "a malformed bcrypt hash (expected $2y$, $2a$ or $2b$, a two-digit cost and 53"
          + " characters)";
    } else if (hash.isEmpty()) {
      return "an empty hash";
    }
    return "not a bcrypt hash (crypt, or a plain-text password)";
  }

  /** Hides the hash. */
  @Override
  public String toString() {
    return "BcryptHash[<hidden>]";
  }
}
