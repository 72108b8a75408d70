package io.layercake.auth;

import io.layercake.HeaderText;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user and password of an {@code Authorization: Basic} header (RFC 7617): the scheme in any
 * case, one or more spaces, then base64 of UTF-8 {@code user:password}, split at the first colon.
 * The password is never part of a message or of {@link #toString()}.
 *
 * @param user the user name, never empty
 * @param password the password, possibly empty
 */
record BasicCredentials(String user, String password) {

  /**
   * The longest credentials part accepted, in base64 characters: room for the longest user name
   * and a password longer than bcrypt reads, while bounding what a client can make us decode.
   */
  static final int MAX_ENCODED_LENGTH = 1024;

  private static final String SCHEME = "Basic";

  /**
   * Parses a header value.
   *
   * @throws IllegalArgumentException saying what is wrong; the message never holds the input
   */
  static BasicCredentials parse(String headerValue) {
    String value = HeaderText.trimOptionalWhitespace(headerValue);
    int space = value.indexOf(' ');
    String scheme = space < 0 ? value : value.substring(0, space);
    if (!scheme.equalsIgnoreCase(SCHEME)) {
      throw new IllegalArgumentException("the scheme is not Basic");
    }
    String encoded = space < 0 ? "" : HeaderText.trimOptionalWhitespace(value.substring(space));
    if (encoded.isEmpty()) {
      throw new IllegalArgumentException("Basic without credentials");
    }
    if (encoded.length() > MAX_ENCODED_LENGTH) {
      throw new IllegalArgumentException("credentials longer than " + MAX_ENCODED_LENGTH + " characters");
    }
    String decoded = utf8(base64(encoded));
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("no ':' between user and password");
    }
    if (colon == 0) {
      throw new IllegalArgumentException("an empty user name");
    }
    if (decoded.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("a control character in the user name or password");
    }
    return new BasicCredentials(decoded.substring(0, colon), decoded.substring(colon + 1));
  }

  private static byte[] base64(String encoded) {
    try {
      return Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the credentials are not base64");
    }
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the credentials are not UTF-8");
    }
  }

  /** Names the user only. */
  @Override
  public String toString() {
    return "BasicCredentials[user=" + user + ", password=<hidden>]";
  }
}
