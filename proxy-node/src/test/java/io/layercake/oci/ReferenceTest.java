package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReferenceTest {

  private static final String HEX =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  private static final String DIGEST = "sha256:" + HEX;

  @Test
  void parse_tag() {
    Reference reference = Reference.parse("latest");

    Reference.ByTag byTag = assertInstanceOf(Reference.ByTag.class, reference);
    assertEquals(Tag.parse("latest"), byTag.tag());
    assertEquals(Optional.empty(), reference.digest());
    assertEquals("latest", reference.toString());
  }

  @Test
  void parse_digest() {
    Reference reference = Reference.parse(DIGEST);

    Reference.ByDigest byDigest = assertInstanceOf(Reference.ByDigest.class, reference);
    assertEquals(Digest.parse(DIGEST), byDigest.value());
    assertEquals(Optional.of(Digest.parse(DIGEST)), reference.digest());
    assertEquals(DIGEST, reference.toString());
  }

  @Test
  void parse_hexWithoutAlgorithmIsTag() {
    assertInstanceOf(Reference.ByTag.class, Reference.parse(HEX));
  }

  @Test
  void parse_roundTripsThroughToString() {
    for (String text : new String[] {"latest", "7.2-alpine", "_x", DIGEST}) {
      assertEquals(Reference.parse(text), Reference.parse(Reference.parse(text).toString()));
    }
  }

  @Test
  void parse_null() {
    assertInvalid(null, ErrorCode.TAG_INVALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t", "\n"})
  void parse_emptyOrWhitespace(String text) {
    assertInvalid(text, ErrorCode.TAG_INVALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", ".", "-x", ".x", "a/b", "/", "//", "%2e%2e", "a\\b", "latest\0"})
  void parse_invalidTag(String text) {
    assertInvalid(text, ErrorCode.TAG_INVALID);
  }

  @Test
  void parse_129CharacterTag() {
    assertInvalid("a".repeat(129), ErrorCode.TAG_INVALID);
  }

  @Test
  void parse_128CharacterTag() {
    assertInstanceOf(Reference.ByTag.class, Reference.parse("a".repeat(128)));
  }

  @Test
  void parse_sha512() {
    assertInvalid("sha512:" + HEX + HEX, ErrorCode.DIGEST_INVALID);
  }

  @Test
  void parse_uppercaseHex() {
    assertInvalid("sha256:" + HEX.toUpperCase(), ErrorCode.DIGEST_INVALID);
  }

  @Test
  void parse_shortAndLongHex() {
    assertInvalid("sha256:" + HEX.substring(1), ErrorCode.DIGEST_INVALID);
    assertInvalid(DIGEST + "0", ErrorCode.DIGEST_INVALID);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "sha256:../../etc", "sha256:..", "sha256:/", "sha256:%2e%2e", "sha256:..\\..", ":", "::"})
  void parse_pathTraversalDigest(String text) {
    assertInvalid(text, ErrorCode.DIGEST_INVALID);
  }

  @Test
  void parse_digestWithTrailingNewline() {
    assertInvalid(DIGEST + "\n", ErrorCode.DIGEST_INVALID);
  }

  @Test
  void parse_digestWithUnicodeLookalike() {
    assertInvalid("sha256:" + HEX.replace('a', '\u0430'), ErrorCode.DIGEST_INVALID);
  }

  /** A colon can only belong to a digest (tags never contain one), so this is a bad digest. */
  @Test
  void parse_tagWithColon() {
    assertInvalid("redis:latest", ErrorCode.DIGEST_INVALID);
  }

  @Test
  void parse_imageReferenceWithAt() {
    assertInvalid("latest@" + DIGEST, ErrorCode.DIGEST_INVALID);
  }

  @Test
  void equals_tagAndDigestDiffer() {
    assertNotEquals(Reference.parse(HEX), Reference.parse(DIGEST));
  }

  @Test
  void equals_sameTag() {
    assertEquals(new Reference.ByTag(Tag.parse("latest")), Reference.parse("latest"));
  }

  private static void assertInvalid(String text, ErrorCode code) {
    OciException error =
        assertThrows(OciException.class, () -> Reference.parse(text), String.valueOf(text));
    assertEquals(code, error.code());
    assertTrue(error.detail().isPresent());
  }
}
