package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TagTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "latest", "7.2", "7.2.4-alpine3.19", "A", "Z", "0", "9", "_", "_a", "__", "a_", "a-", "a.",
      "Latest", "UPPER", "v1.0.0_rc-1", "a..b", "a--b", "a__b", "1.-_.", "_.-"})
  void parse_valid(String text) {
    Tag tag = Tag.parse(text);

    assertEquals(text, tag.value());
    assertEquals(text, tag.toString());
  }

  @Test
  void parse_128Characters() {
    String text = "a".repeat(128);

    assertEquals(text, Tag.parse(text).value());
  }

  @Test
  void parse_128CharactersStartingWithUnderscore() {
    String text = "_" + "-".repeat(127);

    assertEquals(text, Tag.parse(text).value());
  }

  @Test
  void parse_129Characters() {
    assertInvalid("a".repeat(129));
  }

  @Test
  void parse_hugeInput() {
    assertInvalid("a".repeat(1_000_000));
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t", "\n", " latest", "latest ", "lat est", "latest\t"})
  void parse_nullEmptyOrWhitespace(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {".", "..", ".hidden", "-", "-rc1", "--", ".latest", "-latest"})
  void parse_leadingDotOrDash(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a/b", "/latest", "latest/", "../latest", "..%2f", "%2e%2e", "a%20b", "a\\b", "..\\..",
      "a:b", "sha256:", "a@b", "a+b", "a~b", "a!b", "a*b", "a?b", "a#b", "a=b", "a,b", "a;b",
      "a\"b", "a'b", "a<b", "a>b", "a|b", "a$b", "a{b}", "a[b]"})
  void parse_forbiddenCharacters(String text) {
    assertInvalid(text);
  }

  @Test
  void parse_nulAndControlCharacters() {
    assertInvalid("latest\0");
    assertInvalid("\0latest");
    assertInvalid("lat\0est");
    assertInvalid("latest\n");
    assertInvalid("latest\r\n");
    assertInvalid("latest\u001b");
    assertInvalid("latest\u007f");
    assertInvalid("latest\u0085");
  }

  @Test
  void parse_unicodeLookalikes() {
    // Cyrillic a (U+0430) and e (U+0435).
    assertInvalid("l\u0430test");
    assertInvalid("lat\u0435st");
    // Fullwidth and Arabic-Indic digits, a fullwidth full stop, a Unicode hyphen.
    assertInvalid("\uff17.2");
    assertInvalid("\u0667.2");
    assertInvalid("7\uff0e2");
    assertInvalid("7\u20102");
    // Letters with diacritics and zero-width characters.
    assertInvalid("caf\u00e9");
    assertInvalid("late\u200bst");
    assertInvalid("\ufefflatest");
    // The Kelvin sign lowercases to a Latin k: it must not pass as a letter.
    assertInvalid("\u212a");
  }

  @Test
  void parse_digestLookingTagWithoutColon() {
    String hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    assertEquals(hex, Tag.parse(hex).value());
  }

  @Test
  void parse_errorNamesInput() {
    OciException error = assertInvalid("bad tag");

    assertEquals(400, error.code().status());
    assertTrue(error.detail().orElseThrow().contains("\"bad tag\""), error.detail().orElseThrow());
  }

  @Test
  void parse_errorEscapesControlCharacters() {
    OciException error = assertInvalid("x\0\r\n\u001b");

    String detail = error.detail().orElseThrow();
    assertFalse(detail.chars().anyMatch(c -> c < 0x20 || c > 0x7e), detail);
  }

  @Test
  void parse_nullNamedInError() {
    assertTrue(assertInvalid(null).detail().orElseThrow().contains("null"));
  }

  @Test
  void constructor_sameRulesAsParse() {
    assertEquals(Tag.parse("latest"), new Tag("latest"));
    OciException error = assertThrows(OciException.class, () -> new Tag(".."));
    assertEquals(ErrorCode.TAG_INVALID, error.code());
  }

  @Test
  void equals_caseSensitive() {
    assertNotEquals(Tag.parse("latest"), Tag.parse("Latest"));
  }

  @Test
  void equals_sameValue() {
    assertEquals(Tag.parse("7.2"), Tag.parse("7.2"));
    assertEquals(Tag.parse("7.2").hashCode(), Tag.parse("7.2").hashCode());
  }

  private static OciException assertInvalid(String text) {
    OciException error = assertThrows(OciException.class, () -> Tag.parse(text), String.valueOf(text));
    assertEquals(ErrorCode.TAG_INVALID, error.code());
    return error;
  }
}
