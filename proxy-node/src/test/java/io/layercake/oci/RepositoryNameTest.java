package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RepositoryNameTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "redis", "library/redis", "bitnami/redis", "a", "0", "9to5", "a/b/c/d/e", "a.b", "a_b",
      "a__b", "a-b", "a--b", "a---b", "a.b_c__d-e--f", "my.org/sub_team/image-name",
      "a0/b1", "x/y.z", "a.b.c"})
  void parse_valid(String text) {
    RepositoryName name = RepositoryName.parse(text);

    assertEquals(text, name.value());
    assertEquals(text, name.toString());
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {" ", "\t", "\n", " redis", "redis ", "re dis", "library/ redis"})
  void parse_nullEmptyOrWhitespace(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Redis", "REDIS", "library/Redis", "Library/redis", "redIs"})
  void parse_uppercase(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "a___b", "a____b", "a.-b", "a-.b", "a._b", "a_.b", "a..b", "a-_b", "a_-b", "a__.b",
      "a._.b"})
  void parse_badSeparatorRuns(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-a", "a-", "_a", "a_", ".a", "a.", "__a", "a__", "--a", "a--",
      "library/-a", "library/a-", "-a/b", "a_/b"})
  void parse_separatorAtComponentEdge(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      ".", "..", "...", "./a", "a/.", "../a", "a/..", "a/../b", "a/./b", "../../etc/passwd",
      "library/../../etc"})
  void parse_dotComponents(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "//", "/a", "a/", "a//b", "/library/redis", "library/redis/",
      "a///b"})
  void parse_emptyComponents(String text) {
    assertInvalid(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "%2e%2e", "%2e%2e/etc", "a%2fb", "library%2fredis", "a%00b", "%2E%2E", "a\\b", "..\\..",
      "library\\redis", "a:b", "redis:latest", "redis@sha256", "a/b:c", "a?b", "a#b", "a+b",
      "a~b", "a*b", "a;b", "a'b", "a\"b", "a<b>", "a|b", "a$b", "a&b", "a=b"})
  void parse_forbiddenCharacters(String text) {
    assertInvalid(text);
  }

  @Test
  void parse_nulAndControlCharacters() {
    assertInvalid("redis\0");
    assertInvalid("\0redis");
    assertInvalid("library/\0");
    assertInvalid("redis\n");
    assertInvalid("redis\r\n");
    assertInvalid("re\u001bdis");
    assertInvalid("redis\u007f");
    assertInvalid("redis\u0085");
  }

  @Test
  void parse_unicodeLookalikes() {
    // Cyrillic e (U+0435), fullwidth r, Greek omicron for o, a dotless i.
    assertInvalid("r\u0435dis");
    assertInvalid("\uff52edis");
    assertInvalid("d\u03bfcker");
    assertInvalid("red\u0131s");
    // Unicode slashes and dots must not act as separators.
    assertInvalid("library\u2215redis");
    assertInvalid("library\uff0fredis");
    assertInvalid("a\u2024b");
    assertInvalid("\u2025");
    // Zero-width and byte-order marks.
    assertInvalid("re\u200bdis");
    assertInvalid("\ufeffredis");
    // The Kelvin sign is a capital K to a case-insensitive matcher.
    assertInvalid("\u212a");
  }

  @Test
  void parse_255Characters() {
    String text = "a".repeat(255);

    assertEquals(text, RepositoryName.parse(text).value());
  }

  @Test
  void parse_255CharactersWithComponents() {
    String text = "ab/".repeat(84) + "abc";

    assertEquals(255, text.length());
    assertEquals(text, RepositoryName.parse(text).value());
  }

  @Test
  void parse_256Characters() {
    assertInvalid("a".repeat(256));
  }

  @Test
  void parse_256CharactersWithComponents() {
    String text = "ab/".repeat(84) + "abcd";

    assertEquals(256, text.length());
    assertInvalid(text);
  }

  @Test
  void parse_hugeInput() {
    assertInvalid("a".repeat(1_000_000));
  }

  @Test
  void parse_adversarialSeparatorsFinishQuickly() {
    assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
      assertInvalid("a-".repeat(127) + "!");
      assertInvalid("a_".repeat(127) + "_");
      assertInvalid("a__".repeat(84) + "_");
      assertInvalid("a" + "-".repeat(253) + "!");
    });
  }

  @Test
  void parse_errorNamesInput() {
    OciException error = assertInvalid("Library/Redis");

    assertEquals(400, error.code().status());
    assertTrue(error.detail().orElseThrow().contains("\"Library/Redis\""), error.getMessage());
  }

  @Test
  void parse_errorEscapesControlCharacters() {
    OciException error = assertInvalid("a\0b\nc\u001b[0m\u0435");

    String detail = error.detail().orElseThrow();
    assertFalse(detail.chars().anyMatch(c -> c < 0x20 || c > 0x7e), detail);
  }

  @Test
  void parse_errorTruncatesHugeInput() {
    OciException error = assertInvalid("a".repeat(10_000));

    assertTrue(error.detail().orElseThrow().length() < 200);
  }

  @Test
  void constructor_sameRulesAsParse() {
    assertEquals(RepositoryName.parse("library/redis"), new RepositoryName("library/redis"));
    OciException error = assertThrows(OciException.class, () -> new RepositoryName("a/../b"));
    assertEquals(ErrorCode.NAME_INVALID, error.code());
  }

  @Test
  void normalizedForDockerHub_officialImage() {
    assertEquals(
        RepositoryName.parse("library/redis"), RepositoryName.parse("redis").normalizedForDockerHub());
  }

  @Test
  void normalizedForDockerHub_alreadyLibrary() {
    RepositoryName name = RepositoryName.parse("library/redis");

    assertSame(name, name.normalizedForDockerHub());
  }

  @Test
  void normalizedForDockerHub_userRepository() {
    RepositoryName name = RepositoryName.parse("bitnami/redis");

    assertEquals("bitnami/redis", name.normalizedForDockerHub().value());
  }

  @Test
  void normalizedForDockerHub_deepName() {
    RepositoryName name = RepositoryName.parse("a/b/c");

    assertEquals("a/b/c", name.normalizedForDockerHub().value());
  }

  @Test
  void normalizedForDockerHub_libraryAlone() {
    assertEquals("library/library", RepositoryName.parse("library").normalizedForDockerHub().value());
  }

  @Test
  void normalizedForDockerHub_isIdempotent() {
    RepositoryName once = RepositoryName.parse("redis").normalizedForDockerHub();

    assertEquals(once, once.normalizedForDockerHub());
  }

  @Test
  void normalizedForDockerHub_fitsExactly() {
    String text = "a".repeat(RepositoryName.MAX_LENGTH - "library/".length());

    assertEquals("library/" + text, RepositoryName.parse(text).normalizedForDockerHub().value());
  }

  /** Docker itself refuses a full name over 255 characters, so the prefixed name is invalid too. */
  @Test
  void normalizedForDockerHub_tooLongAfterPrefix() {
    RepositoryName name = RepositoryName.parse("a".repeat(RepositoryName.MAX_LENGTH - 7));

    OciException error = assertThrows(OciException.class, name::normalizedForDockerHub);
    assertEquals(ErrorCode.NAME_INVALID, error.code());
  }

  private static OciException assertInvalid(String text) {
    OciException error =
        assertThrows(OciException.class, () -> RepositoryName.parse(text), String.valueOf(text));
    assertEquals(ErrorCode.NAME_INVALID, error.code());
    return error;
  }
}
