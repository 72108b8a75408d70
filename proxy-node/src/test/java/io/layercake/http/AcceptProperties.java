package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.Tag;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@code Accept} headers come from clients: whatever they say, parsing never throws, a digest is
 * always served as it is, and a refusal is the documented 4xx.
 */
class AcceptProperties {

  private static final List<String> STORED = List.of(MediaType.OCI_MANIFEST, MediaType.OCI_INDEX,
      MediaType.DOCKER_MANIFEST, MediaType.DOCKER_MANIFEST_LIST, "application/vnd.docker.distribution.manifest.v1+json",
      "text/plain");

  @Property(tries = 3000)
  void decide_anyAcceptHeaders_decidesOrRefusesWith4xx(@ForAll("acceptHeaders") List<String> headers,
      @ForAll("stored") String stored) {
    ManifestNegotiation.AcceptedTypes accepted = ManifestNegotiation.AcceptedTypes.parse(headers);

    ManifestNegotiation.Decision byTag = ManifestNegotiation.decide(accepted, stored, new Reference.ByTag(Tag.parse("7")));
    ManifestNegotiation.Decision byDigest = ManifestNegotiation.decide(accepted, stored,
        new Reference.ByDigest(Digest.parse("sha256:" + "a".repeat(64))));

    assertNotNull(byTag);
    assertEquals(ManifestNegotiation.Decision.SERVE_AS_IS, byDigest, "a digest is immutable content");
    OciException refusal = ManifestNegotiation.notAcceptable(stored);
    assertTrue(refusal.code().status() >= 400 && refusal.code().status() < 500);
  }

  @Provide
  Arbitrary<String> stored() {
    return Arbitraries.of(STORED);
  }

  /** Up to three headers of media ranges with parameters: real types, near-misses and noise. */
  @Provide
  Arbitrary<List<String>> acceptHeaders() {
    Arbitrary<String> type = Arbitraries.oneOf(Arbitraries.of(STORED), Arbitraries.of("*/*", "application/*",
        "application/json", "", "*", "/", "application/vnd.oci.image.index.v1+json;"),
        Arbitraries.strings().withChars("abc/+*.;= \"").ofMaxLength(20));
    Arbitrary<String> parameter = Arbitraries.of("", ";q=0", ";q=0.0", ";q=1", ";q=0.5", ";q=", ";q=x",
        ";q=-1", "; q = 0", ";charset=utf-8", ";;", ";q=\"0\"");
    Arbitrary<String> range = Combinators.combine(type, parameter).as(String::concat);
    Arbitrary<String> header = Arbitraries.oneOf(range.list().ofMaxSize(6).map(list -> String.join(",", list)),
        Arbitraries.strings().all().ofMaxLength(60));
    return header.injectNull(0.05).list().ofMaxSize(3);
  }
}
