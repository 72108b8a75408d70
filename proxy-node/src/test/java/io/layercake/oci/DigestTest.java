package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {

  /** The sha256 of the empty string: a digest every registry knows. */
  private static final String EMPTY_HEX =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String EMPTY = "sha256:" + EMPTY_HEX;

  @Test
  void parse_valid() {
    Digest digest = Digest.parse(EMPTY);

    assertEquals(EMPTY_HEX, digest.hex());
    assertEquals(EMPTY, digest.toString());
    assertEquals(digest, Digest.parse(digest.toString()));
  }

  @Test
  void parse_allHexDigits() {
    String hex = "0123456789abcdef".repeat(4);

    assertEquals(hex, Digest.parse("sha256:" + hex).hex());
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t", "sha256:", "sha256", ":", "sha256: "})
  void parse_nullEmptyOrBlank(String text) {
    assertInvalid(text);
  }

  @Test
  void parse_whitespaceAround() {
    assertInvalid(" " + EMPTY);
    assertInvalid(EMPTY + " ");
    assertInvalid("sha256: " + EMPTY_HEX.substring(1));
    assertInvalid("sha256 :" + EMPTY_HEX);
    assertInvalid(EMPTY + "\t");
  }

  @Test
  void parse_uppercaseHex() {
    assertInvalid("sha256:" + EMPTY_HEX.toUpperCase());
    assertInvalid("sha256:" + "E" + EMPTY_HEX.substring(1));
  }

  @Test
  void parse_uppercaseAlgorithm() {
    assertInvalid("SHA256:" + EMPTY_HEX);
    assertInvalid("Sha256:" + EMPTY_HEX);
  }

  @Test
  void parse_63Hex() {
    assertInvalid("sha256:" + EMPTY_HEX.substring(1));
  }

  @Test
  void parse_65Hex() {
    assertInvalid(EMPTY + "0");
  }

  @Test
  void parse_sha512() {
    assertInvalid("sha512:" + EMPTY_HEX + EMPTY_HEX);
  }

  @Test
  void parse_sha512HexWithSha256Prefix() {
    assertInvalid("sha256:" + EMPTY_HEX + EMPTY_HEX);
  }

  @Test
  void parse_otherAlgorithms() {
    assertInvalid("sha384:" + EMPTY_HEX);
    assertInvalid("md5:" + EMPTY_HEX);
    assertInvalid("blake3:" + EMPTY_HEX);
    assertInvalid("sha256+b64u:" + EMPTY_HEX);
  }

  @Test
  void parse_nonHexLetter() {
    assertInvalid("sha256:g" + EMPTY_HEX.substring(1));
    assertInvalid("sha256:z" + EMPTY_HEX.substring(1));
  }

  @Test
  void parse_bareHex() {
    assertInvalid(EMPTY_HEX);
  }

  @Test
  void parse_doubleColon() {
    assertInvalid("sha256::" + EMPTY_HEX.substring(1));
  }

  @Test
  void parse_pathTraversal() {
    assertInvalid("sha256:../../etc");
    assertInvalid("sha256:../../etc/passwd");
    assertInvalid("sha256:" + "../".repeat(21) + "a");
    assertInvalid("sha256:" + EMPTY_HEX.substring(2) + "/.");
    assertInvalid("sha256:" + EMPTY_HEX.substring(3) + "/..");
    assertInvalid("sha256:" + EMPTY_HEX.substring(1) + "/");
  }

  @Test
  void parse_percentEncoded() {
    assertInvalid("sha256%3A" + EMPTY_HEX);
    assertInvalid("sha256:%2e%2e" + EMPTY_HEX.substring(6));
  }

  @Test
  void parse_backslash() {
    assertInvalid("sha256:" + EMPTY_HEX.substring(1) + "\\");
    assertInvalid("sha256:..\\..\\etc");
  }

  @Test
  void parse_unicodeLookalikes() {
    // Cyrillic small a (U+0430) and e (U+0435) look like the hex letters.
    assertInvalid("sha256:" + EMPTY_HEX.replace('a', '\u0430'));
    assertInvalid("sha256:" + EMPTY_HEX.replace('e', '\u0435'));
    // Fullwidth and Arabic-Indic digits are digits to Character.isDigit, not to the grammar.
    assertInvalid("sha256:" + EMPTY_HEX.replace('4', '\uff14'));
    assertInvalid("sha256:" + EMPTY_HEX.replace('4', '\u0664'));
    // A fullwidth colon after the algorithm.
    assertInvalid("sha256\uff1a" + EMPTY_HEX);
  }

  @Test
  void parse_nulAndControlCharacters() {
    assertInvalid(EMPTY + "\0");
    assertInvalid("sha256:\0" + EMPTY_HEX.substring(1));
    assertInvalid(EMPTY + "\n");
    assertInvalid(EMPTY + "\r\n");
    assertInvalid("sha256:" + EMPTY_HEX.substring(1) + "\u007f");
    assertInvalid("sha256:" + EMPTY_HEX.substring(1) + "\u0085");
  }

  @Test
  void parse_errorNamesInput() {
    OciException error = assertInvalid("sha512:abc");

    assertEquals(ErrorCode.DIGEST_INVALID, error.code());
    assertEquals(400, error.code().status());
    assertTrue(error.detail().orElseThrow().contains("\"sha512:abc\""), error.getMessage());
    assertTrue(error.getMessage().contains("sha512:abc"), error.getMessage());
  }

  @Test
  void parse_errorEscapesControlCharacters() {
    OciException error = assertInvalid("sha256:\0\n\u001b[31m");

    String detail = error.detail().orElseThrow();
    assertFalse(detail.chars().anyMatch(c -> c < 0x20 || c > 0x7e), detail);
    assertTrue(detail.contains("\\u0000"), detail);
    assertTrue(detail.contains("\\u000a"), detail);
    assertTrue(detail.contains("\\u001b"), detail);
  }

  @Test
  void parse_errorEscapesUnicode() {
    OciException error = assertInvalid("sha256:\u0430\ud83d\ude00");

    String detail = error.detail().orElseThrow();
    assertFalse(detail.chars().anyMatch(c -> c > 0x7e), detail);
    assertTrue(detail.contains("\\u0430"), detail);
  }

  @Test
  void parse_errorTruncatesHugeInput() {
    OciException error = assertInvalid("sha256:" + "x".repeat(1_000_000));

    assertTrue(error.detail().orElseThrow().length() < 200, error.detail().orElseThrow());
    assertTrue(error.detail().orElseThrow().contains("..."));
  }

  @Test
  void parse_nullNamedInError() {
    OciException error = assertInvalid(null);

    assertTrue(error.detail().orElseThrow().contains("null"));
  }

  @Test
  void constructor_valid() {
    assertEquals(EMPTY, new Digest(EMPTY_HEX).toString());
  }

  @Test
  void constructor_null() {
    OciException error = assertThrows(OciException.class, () -> new Digest(null));

    assertEquals(ErrorCode.DIGEST_INVALID, error.code());
  }

  @Test
  void constructor_withAlgorithmPrefix() {
    OciException error = assertThrows(OciException.class, () -> new Digest(EMPTY));

    assertEquals(ErrorCode.DIGEST_INVALID, error.code());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "../../etc", "ABCDEF", "e3b0"})
  void constructor_invalidHex(String hex) {
    OciException error = assertThrows(OciException.class, () -> new Digest(hex));

    assertEquals(ErrorCode.DIGEST_INVALID, error.code());
  }

  @Test
  void constructor_uppercaseHex() {
    assertThrows(OciException.class, () -> new Digest(EMPTY_HEX.toUpperCase()));
  }

  static Stream<String> candidates() {
    List<String> texts = new ArrayList<>(List.of(
        EMPTY, "sha256:" + "0".repeat(64), "sha256:" + "f".repeat(64), "", " ", "sha256:",
        EMPTY_HEX, "sha256:" + EMPTY_HEX.toUpperCase(), "sha256:" + EMPTY_HEX.substring(1),
        EMPTY + "0", "sha512:" + EMPTY_HEX + EMPTY_HEX, "sha256:../../etc", EMPTY + "\n",
        "SHA256:" + EMPTY_HEX, "sha256::" + EMPTY_HEX, "sha256:" + EMPTY_HEX.replace('a', '\u0430')));
    return texts.stream();
  }

  @ParameterizedTest
  @MethodSource("candidates")
  void isDigest_agreesWithParse(String text) {
    boolean parses;
    try {
      Digest.parse(text);
      parses = true;
    } catch (OciException e) {
      parses = false;
    }

    assertEquals(parses, Digest.isDigest(text), text);
  }

  @Test
  void isDigest_null() {
    assertFalse(Digest.isDigest(null));
  }

  @Test
  void isDigest_valid() {
    assertTrue(Digest.isDigest(EMPTY));
  }

  @Test
  void ofSha256Bytes_matchesKnownDigest() throws NoSuchAlgorithmException {
    byte[] hash = MessageDigest.getInstance("SHA-256").digest("".getBytes(StandardCharsets.UTF_8));

    assertEquals(Digest.parse(EMPTY), Digest.ofSha256Bytes(hash));
  }

  @Test
  void ofSha256Bytes_highBytesAreLowercaseHex() {
    byte[] hash = new byte[32];
    java.util.Arrays.fill(hash, (byte) 0xAB);

    assertEquals("ab".repeat(32), Digest.ofSha256Bytes(hash).hex());
  }

  @Test
  void ofSha256Bytes_wrongLength() {
    assertThrows(IllegalArgumentException.class, () -> Digest.ofSha256Bytes(new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> Digest.ofSha256Bytes(new byte[33]));
    assertThrows(IllegalArgumentException.class, () -> Digest.ofSha256Bytes(new byte[64]));
    assertThrows(IllegalArgumentException.class, () -> Digest.ofSha256Bytes(new byte[0]));
  }

  @Test
  void equals_sameHex() {
    assertEquals(Digest.parse(EMPTY), new Digest(EMPTY_HEX));
    assertEquals(Digest.parse(EMPTY).hashCode(), new Digest(EMPTY_HEX).hashCode());
  }

  @Test
  void equals_differentHex() {
    assertNotEquals(Digest.parse(EMPTY), Digest.parse("sha256:" + "0".repeat(64)));
  }

  @Test
  void compareTo_ordersByHex() {
    Digest low = Digest.parse("sha256:" + "0".repeat(64));
    Digest high = Digest.parse("sha256:" + "f".repeat(64));
    Digest middle = Digest.parse(EMPTY);

    assertTrue(low.compareTo(middle) < 0);
    assertTrue(high.compareTo(middle) > 0);
    assertEquals(0, middle.compareTo(Digest.parse(EMPTY)));
  }

  private static OciException assertInvalid(String text) {
    OciException error = assertThrows(OciException.class, () -> Digest.parse(text), String.valueOf(text));
    assertEquals(ErrorCode.DIGEST_INVALID, error.code());
    assertFalse(Digest.isDigest(text));
    return error;
  }
}
