package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Names, tags, digests and image references come from clients and archives: whatever the text,
 * parsing either gives a value that prints back to what parses to itself, or throws the
 * documented {@link OciException} with a 4xx code, never anything else.
 */
class ReferenceParsingProperties {

  private static final Set<ErrorCode> NAME_ERRORS =
      Set.of(ErrorCode.NAME_INVALID, ErrorCode.TAG_INVALID, ErrorCode.DIGEST_INVALID);

  @Property(tries = 2000)
  void digest_anyText_parsesAndRoundTripsOrIsDigestInvalid(@ForAll("hostile") String text) {
    roundTripOrRejected(text, Digest::parse, Set.of(ErrorCode.DIGEST_INVALID));
  }

  @Property(tries = 2000)
  void tag_anyText_parsesAndRoundTripsOrIsTagInvalid(@ForAll("hostile") String text) {
    roundTripOrRejected(text, Tag::parse, Set.of(ErrorCode.TAG_INVALID));
  }

  @Property(tries = 2000)
  void repositoryName_anyText_parsesAndRoundTripsOrIsNameInvalid(@ForAll("hostile") String text) {
    roundTripOrRejected(text, RepositoryName::parse, Set.of(ErrorCode.NAME_INVALID));
  }

  @Property(tries = 2000)
  void reference_anyText_isATagOrADigestOrRejected(@ForAll("hostile") String text) {
    roundTripOrRejected(text, Reference::parse, Set.of(ErrorCode.TAG_INVALID, ErrorCode.DIGEST_INVALID));
  }

  @Property(tries = 3000)
  void imageReference_anyText_normalisesToAFixedPointOrIsRejected(@ForAll("hostile") String text) {
    ImageReference parsed;
    try {
      parsed = ImageReference.parse(text);
    } catch (OciException e) {
      assertTrue(NAME_ERRORS.contains(e.code()), e.code() + " for " + text);
      return;
    }
    // Normalised once, a reference prints in full and short forms that parse back to it.
    assertEquals(parsed, ImageReference.parse(parsed.toString()), text);
    assertEquals(parsed, ImageReference.parse(parsed.familiar()), text);
  }

  private static <T> void roundTripOrRejected(String text, Function<String, T> parse, Set<ErrorCode> codes) {
    T parsed;
    try {
      parsed = parse.apply(text);
    } catch (OciException e) {
      assertTrue(codes.contains(e.code()), e.code() + " for " + text);
      assertTrue(e.code().status() >= 400 && e.code().status() < 500, "4xx");
      return;
    }
    assertEquals(parsed, parse.apply(parsed.toString()), text);
  }

  /**
   * Mostly near-misses of valid forms (the ones that find edge cases), plus any text at all:
   * unicode, control characters, empty, very long.
   */
  @Provide
  Arbitrary<String> hostile() {
    Arbitrary<String> segment = Arbitraries.strings().withChars("abcz09._-/:@+ ").ofMinLength(0).ofMaxLength(12);
    Arbitrary<String> hex = Arbitraries.strings().withChars("0123456789abcdefABCDEFg").ofMinLength(62).ofMaxLength(66);
    Arbitrary<String> digests = Combinators.combine(Arbitraries.of("sha256:", "sha512:", "SHA256:", "sha256", ""), hex)
        .as(String::concat);
    Arbitrary<String> references = Combinators.combine(
        Arbitraries.of("", "docker.io/", "ghcr.io/", "localhost:5000/", "index.docker.io/", "Docker.io/", "a.b/"),
        segment, Arbitraries.of("", ":", ":latest", ":7", "@"), Arbitraries.of("", "sha256:" + "a".repeat(64), "x"))
        .as((host, path, tag, digest) -> host + path + tag + digest);
    Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(300);
    Arbitrary<String> long_ = Arbitraries.strings().withChars("ab/").ofMinLength(250).ofMaxLength(270);
    return Arbitraries.oneOf(segment, digests, references, anything, long_, Arbitraries.just(null));
  }
}
