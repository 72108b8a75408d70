package io.layercake.auth;

import java.nio.charset.StandardCharsets;
import org.springframework.security.crypto.bcrypt.BCrypt;

/**
 * Checks a presented password against a stored hash: the one expensive step of authentication,
 * kept behind an interface so that tests can count how often it runs.
 */
@FunctionalInterface
interface PasswordCheck {

  /** Bcrypt reads at most this many bytes of a password. */
  int MAX_PASSWORD_BYTES = 72;

  /**
   * bcrypt through Spring's {@link BCrypt}. A password over 72 UTF-8 bytes fails without hashing:
   * bcrypt would compare only its first 72 bytes (Spring's {@code checkpw} truncates silently, as
   * {@code htpasswd -B} does when it hashes), so a longer password that merely shares a prefix
   * would pass. An exception from {@code checkpw} (a hash it cannot read) is a failed check too,
   * never an error for the client.
   */
  PasswordCheck BCRYPT = (password, hash) -> {
    if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      return false;
    }
    try {
      return BCrypt.checkpw(password, hash.value());
    } catch (IllegalArgumentException e) {
      return false;
    }
  };

  /** Whether {@code password} is the one {@code hash} was made from. */
  boolean matches(String password, BcryptHash hash);
}
