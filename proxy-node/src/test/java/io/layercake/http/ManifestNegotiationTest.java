package io.layercake.http;

import static io.layercake.http.ManifestNegotiation.Decision.NOT_ACCEPTABLE;
import static io.layercake.http.ManifestNegotiation.Decision.SERVE_AS_IS;
import static io.layercake.http.ManifestNegotiation.Decision.SERVE_PLATFORM_MANIFEST;
import static io.layercake.oci.MediaType.DOCKER_MANIFEST;
import static io.layercake.oci.MediaType.DOCKER_MANIFEST_LIST;
import static io.layercake.oci.MediaType.DOCKER_MANIFEST_V1;
import static io.layercake.oci.MediaType.DOCKER_MANIFEST_V1_SIGNED;
import static io.layercake.oci.MediaType.OCI_INDEX;
import static io.layercake.oci.MediaType.OCI_MANIFEST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.layercake.http.ManifestNegotiation.AcceptedTypes;
import io.layercake.http.ManifestNegotiation.Decision;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestNegotiationTest {

  private static final Reference BY_TAG = Reference.parse("latest");
  private static final Reference BY_DIGEST =
      Reference.parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  private static final String AMD64 = "sha256:" + "a".repeat(64);
  private static final String AMD64_V3 = "sha256:" + "3".repeat(64);
  private static final String ARM64 = "sha256:" + "b".repeat(64);
  private static final String ARM_V7 = "sha256:" + "c".repeat(64);
  private static final String ATTESTATION = "sha256:" + "d".repeat(64);

  /** dockerd's distribution client: one Accept header per type it can read. */
  private static final List<String> DOCKERD =
      List.of(DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_V1_SIGNED);
  /** containerd's resolver: one header, the four modern types and a wildcard. */
  private static final List<String> CONTAINERD = List.of(String.join(", ",
      DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_MANIFEST, OCI_INDEX, "*/*"));
  /** skopeo (containers/image): one header per type, schema 1 included. */
  private static final List<String> SKOPEO = List.of(OCI_MANIFEST, DOCKER_MANIFEST,
      DOCKER_MANIFEST_V1_SIGNED, DOCKER_MANIFEST_V1, DOCKER_MANIFEST_LIST, OCI_INDEX);
  /** podman uses containers/image too; here its headers arrive folded into one by a proxy. */
  private static final List<String> PODMAN = List.of(String.join(",", SKOPEO));
  /** curl sends {@code Accept: *}{@code /*} unless told otherwise. */
  private static final List<String> CURL = List.of("*/*");
  /** A plain HTTP client that sends no Accept at all. */
  private static final List<String> NO_ACCEPT = List.of();
  /** A client that knows Docker schema 2 and nothing else. */
  private static final List<String> SCHEMA2_ONLY = List.of(DOCKER_MANIFEST);
  /** Docker 1.10 to 17.x: schema 2 and schema 1, no lists, no OCI. */
  private static final List<String> OLD_DOCKER =
      List.of(DOCKER_MANIFEST, DOCKER_MANIFEST_V1_SIGNED, "application/json");
  /** Docker 17.x to 19.x: schema 2 and manifest lists, no OCI. */
  private static final List<String> DOCKER_LISTS_NO_OCI =
      List.of(DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST_V1_SIGNED, "application/json");
  /** A client from before schema 2. */
  private static final List<String> SCHEMA1_ONLY =
      List.of(DOCKER_MANIFEST_V1_SIGNED + ", " + DOCKER_MANIFEST_V1 + ", application/json");
  /** A client that reads OCI types only. */
  private static final List<String> OCI_ONLY = List.of(OCI_MANIFEST + ", " + OCI_INDEX);

  private static final List<String> STORED_TYPES =
      List.of(OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST, DOCKER_MANIFEST_V1_SIGNED);

  static Stream<Arguments> everyTypeServedAsIs() {
    Map<String, List<String>> clients = Map.of(
        "dockerd", DOCKERD, "containerd", CONTAINERD, "skopeo", SKOPEO, "podman", PODMAN,
        "curl", CURL, "no accept", NO_ACCEPT);
    List<Arguments> cases = new ArrayList<>();
    clients.forEach((client, headers) -> {
      for (String stored : STORED_TYPES) {
        cases.add(arguments(client, headers, stored, BY_TAG));
        cases.add(arguments(client, headers, stored, BY_DIGEST));
      }
    });
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} gets {2} by {3}")
  @MethodSource("everyTypeServedAsIs")
  void decide_modernClientsGetStoredManifest(
      String client, List<String> headers, String stored, Reference reference) {
    assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(AcceptedTypes.parse(headers), stored, reference));
  }

  static Stream<Arguments> oldClientsByTag() {
    return Stream.of(
        arguments("schema2 only", SCHEMA2_ONLY, OCI_INDEX, SERVE_PLATFORM_MANIFEST),
        arguments("schema2 only", SCHEMA2_ONLY, DOCKER_MANIFEST_LIST, SERVE_PLATFORM_MANIFEST),
        arguments("schema2 only", SCHEMA2_ONLY, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("schema2 only", SCHEMA2_ONLY, DOCKER_MANIFEST, SERVE_AS_IS),
        arguments("schema2 only", SCHEMA2_ONLY, DOCKER_MANIFEST_V1_SIGNED, SERVE_AS_IS),
        arguments("old docker", OLD_DOCKER, OCI_INDEX, SERVE_PLATFORM_MANIFEST),
        arguments("old docker", OLD_DOCKER, DOCKER_MANIFEST_LIST, SERVE_PLATFORM_MANIFEST),
        arguments("old docker", OLD_DOCKER, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("old docker", OLD_DOCKER, DOCKER_MANIFEST, SERVE_AS_IS),
        arguments("old docker", OLD_DOCKER, DOCKER_MANIFEST_V1_SIGNED, SERVE_AS_IS),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, OCI_INDEX, SERVE_PLATFORM_MANIFEST),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, DOCKER_MANIFEST_LIST, SERVE_AS_IS),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, DOCKER_MANIFEST, SERVE_AS_IS),
        arguments("schema1 only", SCHEMA1_ONLY, OCI_INDEX, NOT_ACCEPTABLE),
        arguments("schema1 only", SCHEMA1_ONLY, DOCKER_MANIFEST_LIST, SERVE_PLATFORM_MANIFEST),
        arguments("schema1 only", SCHEMA1_ONLY, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("schema1 only", SCHEMA1_ONLY, DOCKER_MANIFEST, NOT_ACCEPTABLE),
        arguments("schema1 only", SCHEMA1_ONLY, DOCKER_MANIFEST_V1_SIGNED, SERVE_AS_IS),
        arguments("oci only", OCI_ONLY, OCI_INDEX, SERVE_AS_IS),
        arguments("oci only", OCI_ONLY, DOCKER_MANIFEST_LIST, SERVE_PLATFORM_MANIFEST),
        arguments("oci only", OCI_ONLY, OCI_MANIFEST, SERVE_AS_IS),
        arguments("oci only", OCI_ONLY, DOCKER_MANIFEST, SERVE_AS_IS));
  }

  @ParameterizedTest(name = "{0} gets {3} for {2} by tag")
  @MethodSource("oldClientsByTag")
  void decide_oldClientsByTag(String client, List<String> headers, String stored, Decision expected) {
    assertEquals(expected, ManifestNegotiation.decide(AcceptedTypes.parse(headers), stored, BY_TAG));
  }

  @ParameterizedTest(name = "{0} gets {2} as is by digest")
  @MethodSource("oldClientsByTag")
  void decide_byDigestAlwaysServedAsIs(String client, List<String> headers, String stored) {
    assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(AcceptedTypes.parse(headers), stored, BY_DIGEST));
  }

  @Test
  void decide_indexWithoutSingleManifestTypes() {
    AcceptedTypes listOnly = AcceptedTypes.parse(List.of(DOCKER_MANIFEST_LIST));

    assertEquals(NOT_ACCEPTABLE, ManifestNegotiation.decide(listOnly, OCI_INDEX, BY_TAG));
  }

  @Test
  void decide_indexWhenOnlyOciManifestAccepted() {
    AcceptedTypes ociManifest = AcceptedTypes.parse(List.of(OCI_MANIFEST));

    assertEquals(SERVE_PLATFORM_MANIFEST, ManifestNegotiation.decide(ociManifest, OCI_INDEX, BY_TAG));
  }

  @Test
  void decide_genericJsonClient() {
    AcceptedTypes json = AcceptedTypes.parse(List.of("application/json"));

    for (String stored : STORED_TYPES) {
      assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(json, stored, BY_TAG), stored);
    }
  }

  @Test
  void decide_applicationWildcard() {
    AcceptedTypes wildcard = AcceptedTypes.parse(List.of("application/*"));

    for (String stored : STORED_TYPES) {
      assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(wildcard, stored, BY_TAG), stored);
    }
  }

  @Test
  void decide_wildcardWithRefusedIndex() {
    AcceptedTypes noIndex = AcceptedTypes.parse(List.of("*/*, " + OCI_INDEX + ";q=0"));

    assertEquals(SERVE_PLATFORM_MANIFEST, ManifestNegotiation.decide(noIndex, OCI_INDEX, BY_TAG));
    assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(noIndex, OCI_MANIFEST, BY_TAG));
  }

  @Test
  void decide_unrelatedTypesOnly() {
    AcceptedTypes html = AcceptedTypes.parse(List.of("text/html"));

    assertEquals(NOT_ACCEPTABLE, ManifestNegotiation.decide(html, OCI_MANIFEST, BY_TAG));
    assertEquals(NOT_ACCEPTABLE, ManifestNegotiation.decide(html, OCI_INDEX, BY_TAG));
    assertEquals(SERVE_PLATFORM_MANIFEST, ManifestNegotiation.decide(html, DOCKER_MANIFEST_LIST, BY_TAG));
    assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(html, DOCKER_MANIFEST, BY_TAG));
  }

  @Test
  void decide_unknownStoredTypeServedAsIs() {
    AcceptedTypes schema2 = AcceptedTypes.parse(SCHEMA2_ONLY);

    assertEquals(SERVE_AS_IS,
        ManifestNegotiation.decide(schema2, "application/vnd.oci.artifact.manifest.v1+json", BY_TAG));
  }

  @Test
  void decide_storedTypeWithParametersAndCase() {
    AcceptedTypes oci = AcceptedTypes.parse(OCI_ONLY);

    assertEquals(SERVE_AS_IS,
        ManifestNegotiation.decide(oci, OCI_MANIFEST.toUpperCase() + "; charset=utf-8", BY_TAG));
  }

  @Test
  void decide_nullStoredType() {
    AcceptedTypes any = AcceptedTypes.parse(NO_ACCEPT);

    assertThrows(NullPointerException.class, () -> ManifestNegotiation.decide(any, null, BY_TAG));
  }

  static Stream<Arguments> platformManifests() {
    return Stream.of(
        arguments("schema2 only", SCHEMA2_ONLY, DOCKER_MANIFEST, SERVE_AS_IS),
        arguments("schema2 only", SCHEMA2_ONLY, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, DOCKER_MANIFEST, SERVE_AS_IS),
        arguments("schema1 only", SCHEMA1_ONLY, DOCKER_MANIFEST, NOT_ACCEPTABLE),
        arguments("schema1 only", SCHEMA1_ONLY, OCI_MANIFEST, NOT_ACCEPTABLE),
        arguments("schema1 only", SCHEMA1_ONLY, DOCKER_MANIFEST_V1_SIGNED, SERVE_AS_IS),
        arguments("oci only", OCI_ONLY, DOCKER_MANIFEST, SERVE_AS_IS),
        arguments("oci only", OCI_ONLY, OCI_MANIFEST, SERVE_AS_IS),
        arguments("schema2 only", SCHEMA2_ONLY, OCI_INDEX, NOT_ACCEPTABLE),
        arguments("schema2 only", SCHEMA2_ONLY, DOCKER_MANIFEST_LIST, NOT_ACCEPTABLE),
        arguments("lists, no OCI", DOCKER_LISTS_NO_OCI, DOCKER_MANIFEST_LIST, SERVE_AS_IS));
  }

  @ParameterizedTest(name = "{0} gets {3} for a {2} platform manifest")
  @MethodSource("platformManifests")
  void decidePlatformManifest_checksAcceptAgain(
      String client, List<String> headers, String platformType, Decision expected) {
    assertEquals(
        expected, ManifestNegotiation.decidePlatformManifest(AcceptedTypes.parse(headers), platformType));
  }

  /** The whole path of a pre-schema-2 client asking for a multi-platform image by tag. */
  @Test
  void decidePlatformManifest_schema1ClientEndsRefused() {
    AcceptedTypes schema1 = AcceptedTypes.parse(SCHEMA1_ONLY);

    assertEquals(SERVE_PLATFORM_MANIFEST, ManifestNegotiation.decide(schema1, DOCKER_MANIFEST_LIST, BY_TAG));
    assertEquals(NOT_ACCEPTABLE, ManifestNegotiation.decidePlatformManifest(schema1, DOCKER_MANIFEST));
  }

  @Test
  void notAcceptable_ociManifest() {
    OciException error = ManifestNegotiation.notAcceptable(OCI_MANIFEST);

    assertEquals(ErrorCode.MANIFEST_UNKNOWN, error.code());
    assertEquals(404, error.code().status());
    assertEquals("OCI manifest found, but accept header does not support OCI manifests",
        error.shortMessage());
    assertEquals(Optional.of(OCI_MANIFEST), error.detail());
  }

  @Test
  void notAcceptable_ociIndex() {
    assertEquals("OCI index found, but accept header does not support OCI indexes",
        ManifestNegotiation.notAcceptable(OCI_INDEX).shortMessage());
  }

  @Test
  void notAcceptable_schema2SaysNoConversion() {
    OciException error = ManifestNegotiation.notAcceptable(DOCKER_MANIFEST);

    assertEquals(ErrorCode.MANIFEST_UNKNOWN, error.code());
    assertTrue(error.shortMessage().contains("schema 1"), error.shortMessage());
  }

  @Test
  void notAcceptable_everyTypeIsManifestUnknown() {
    List<String> types = new ArrayList<>(MediaType.ALL_MANIFESTS);
    types.add("application/x-unknown");
    for (String type : types) {
      OciException error = ManifestNegotiation.notAcceptable(type);
      assertEquals(ErrorCode.MANIFEST_UNKNOWN, error.code(), type);
      assertEquals(Optional.of(type), error.detail());
    }
  }

  @Test
  void parse_noHeader() {
    for (AcceptedTypes none : List.of(
        AcceptedTypes.parse(List.of()), AcceptedTypes.parse(null),
        AcceptedTypes.parse(Arrays.asList((String) null)), AcceptedTypes.parse(List.of("")),
        AcceptedTypes.parse(List.of(" ", "\t")))) {
      assertEquals(Set.of(), none.accepted());
      assertEquals(Set.of(), none.refused());
      assertTrue(none.accepts(OCI_INDEX));
      assertTrue(none.accepts("application/x-anything"));
    }
  }

  @Test
  void parse_severalHeadersAreMerged() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_MANIFEST, DOCKER_MANIFEST + "," + OCI_INDEX));

    assertEquals(Set.of(OCI_MANIFEST, DOCKER_MANIFEST, OCI_INDEX), types.accepted());
    assertFalse(types.accepts(DOCKER_MANIFEST_LIST));
  }

  @Test
  void parse_whitespaceAndEmptyElements() {
    AcceptedTypes types =
        AcceptedTypes.parse(List.of(" ,, " + OCI_MANIFEST + " ,\t" + OCI_INDEX + "\t, ,"));

    assertEquals(Set.of(OCI_MANIFEST, OCI_INDEX), types.accepted());
  }

  @Test
  void parse_caseInsensitive() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_INDEX.toUpperCase()));

    assertEquals(Set.of(OCI_INDEX), types.accepted());
    assertTrue(types.accepts(OCI_INDEX));
    assertTrue(types.accepts("Application/Vnd.Oci.Image.Index.V1+Json"));
  }

  @Test
  void parse_weights() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(
        OCI_MANIFEST + ";q=0.5, " + OCI_INDEX + "; q=1.0, " + DOCKER_MANIFEST + " ; Q=0.001"));

    assertEquals(Set.of(OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST), types.accepted());
    assertEquals(Set.of(), types.refused());
  }

  @ParameterizedTest
  @ValueSource(strings = {"q=0", "q=0.", "q=0.0", "q=0.00", "q=0.000", "Q=0", " q = 0 ",
      "charset=utf-8; q=0", "q=0; q=1"})
  void parse_zeroWeightRefuses(String parameters) {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_INDEX + ";" + parameters + ", " + OCI_MANIFEST));

    assertEquals(Set.of(OCI_INDEX), types.refused());
    assertFalse(types.accepts(OCI_INDEX));
    assertTrue(types.accepts(OCI_MANIFEST));
  }

  @ParameterizedTest
  @ValueSource(strings = {"q=abc", "q=", "q", "q=-1", "q=2", "q=0.0001", "q=0x0", "q=1; q=0",
      "q=\"0\""})
  void parse_malformedWeightAccepts(String parameters) {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_INDEX + ";" + parameters));

    assertTrue(types.accepts(OCI_INDEX), parameters);
  }

  @Test
  void parse_acceptedWinsOverRefused() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_INDEX + ";q=0", OCI_INDEX));

    assertTrue(types.accepts(OCI_INDEX));
    assertEquals(Set.of(), types.refused());
  }

  @Test
  void parse_refusalsOnlyAcceptNothing() {
    AcceptedTypes types = AcceptedTypes.parse(List.of("*/*;q=0"));

    assertFalse(types.accepts(OCI_MANIFEST));
    assertEquals(NOT_ACCEPTABLE, ManifestNegotiation.decide(types, OCI_MANIFEST, BY_TAG));
  }

  @Test
  void parse_quotedParameterWithComma() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(
        OCI_MANIFEST + "; profile=\"a,b;c\", " + OCI_INDEX + "; x=\"\\\",q=0\""));

    assertEquals(Set.of(OCI_MANIFEST, OCI_INDEX), types.accepted());
  }

  @Test
  void parse_unterminatedQuote() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_MANIFEST + "; p=\"a, " + OCI_INDEX));

    assertEquals(Set.of(OCI_MANIFEST), types.accepted());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "garbage", "/", "a/", "/b", "a/b/c", "*/json", "*", "application", "application /json",
      "application/ json", "app lication/json", "application/json\0", "\0", "application\\json",
      "application/vnd.oci.image.index.v1+j\u03bfn", "\u0430pplication/json", "application\uff0fjson",
      "application/json\u00a0", "\"application/json\"", "<script>/x"})
  void parse_malformedElementsAreSkipped(String element) {
    AcceptedTypes types = AcceptedTypes.parse(List.of(element + ", " + OCI_MANIFEST));

    assertEquals(Set.of(OCI_MANIFEST), types.accepted(), element);
  }

  @Test
  void parse_onlyMalformedIsLikeNoHeader() {
    AcceptedTypes types = AcceptedTypes.parse(List.of("garbage, ,;q=0, \0"));

    assertTrue(types.accepts(OCI_INDEX));
    assertEquals(SERVE_AS_IS, ManifestNegotiation.decide(types, OCI_INDEX, BY_TAG));
  }

  @Test
  void parse_hugeHeader() {
    String header = (OCI_MANIFEST + ",").repeat(10_000) + "\"".repeat(10_001);

    assertEquals(Set.of(OCI_MANIFEST), AcceptedTypes.parse(List.of(header)).accepted());
  }

  @Test
  void accepts_wildcardsMatchOnlyTheirType() {
    AcceptedTypes text = AcceptedTypes.parse(List.of("text/*"));

    assertFalse(text.accepts(OCI_MANIFEST));
    assertTrue(text.accepts("text/plain"));
  }

  @Test
  void accepts_jsonWithSpecificTypesIsNotAWildcard() {
    AcceptedTypes types = AcceptedTypes.parse(OLD_DOCKER);

    assertFalse(types.accepts(OCI_MANIFEST));
    assertTrue(types.accepts("application/json"));
  }

  @Test
  void accepts_typeWithoutSlash() {
    AcceptedTypes types = AcceptedTypes.parse(List.of("application/*"));

    assertFalse(types.accepts("application"));
    assertFalse(types.accepts(""));
  }

  @Test
  void acceptedTypes_isImmutable() {
    AcceptedTypes types = AcceptedTypes.parse(List.of(OCI_MANIFEST + ", text/x;q=0"));

    assertThrows(UnsupportedOperationException.class, () -> types.accepted().add("x/y"));
    assertThrows(UnsupportedOperationException.class, () -> types.refused().clear());
  }

  private static String entry(String digest, String os, String architecture, String extra) {
    return "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + digest + "\",\"size\":1234,"
        + "\"platform\":{\"architecture\":\"" + architecture + "\",\"os\":\"" + os + "\"" + extra
        + "}}";
  }

  private static String attestation(String digest, String describes) {
    return "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + digest + "\",\"size\":840,"
        + "\"annotations\":{\"vnd.docker.reference.digest\":\"" + describes + "\","
        + "\"vnd.docker.reference.type\":\"attestation-manifest\"},"
        + "\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"}}";
  }

  private static byte[] index(String... entries) {
    return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":["
        + String.join(",", entries) + "]}").getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void defaultPlatformDigest_dockerHubStyleIndex() {
    byte[] json = index(
        entry(AMD64, "linux", "amd64", ""),
        entry(ARM_V7, "linux", "arm", ",\"variant\":\"v7\""),
        entry(ARM64, "linux", "arm64", ",\"variant\":\"v8\""),
        attestation(ATTESTATION, AMD64),
        attestation("sha256:" + "e".repeat(64), ARM64));

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_amd64ListedLast() {
    byte[] json = index(
        entry(ARM64, "linux", "arm64", ""), attestation(ATTESTATION, ARM64),
        entry(AMD64, "linux", "amd64", ""));

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_dockerManifestList() {
    String list = "{\"schemaVersion\":2,\"mediaType\":\"" + DOCKER_MANIFEST_LIST + "\",\"manifests\":["
        + "{\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"size\":1,\"digest\":\"" + ARM64 + "\","
        + "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}},"
        + "{\"mediaType\":\"" + DOCKER_MANIFEST + "\",\"size\":1,\"digest\":\"" + AMD64 + "\","
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\",\"features\":[\"sse4\"]}}]}";

    assertEquals(Optional.of(AMD64),
        ManifestNegotiation.defaultPlatformDigest(list.getBytes(StandardCharsets.UTF_8)));
  }

  /** An attestation that claims linux/amd64 is still not a runnable image. */
  @Test
  void defaultPlatformDigest_attestationWithRealPlatformSkipped() {
    String disguised = "{\"digest\":\"" + ATTESTATION + "\",\"annotations\":"
        + "{\"vnd.docker.reference.type\":\"attestation-manifest\"},"
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}";

    assertEquals(Optional.of(AMD64),
        ManifestNegotiation.defaultPlatformDigest(index(disguised, entry(AMD64, "linux", "amd64", ""))));
  }

  @Test
  void defaultPlatformDigest_otherAnnotationsKept() {
    String annotated = "{\"digest\":\"" + AMD64 + "\",\"annotations\":"
        + "{\"org.opencontainers.image.ref.name\":\"latest\"},"
        + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}";

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(index(annotated)));
  }

  @Test
  void defaultPlatformDigest_prefersNoVariant() {
    byte[] json = index(
        entry(AMD64_V3, "linux", "amd64", ",\"variant\":\"v3\""), entry(AMD64, "linux", "amd64", ""));

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_emptyVariantCountsAsNone() {
    byte[] json = index(
        entry(AMD64_V3, "linux", "amd64", ",\"variant\":\"v3\""),
        entry(AMD64, "linux", "amd64", ",\"variant\":\"\""));

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_onlyVariant() {
    byte[] json = index(
        entry(ARM64, "linux", "arm64", ""),
        entry(AMD64_V3, "linux", "amd64", ",\"variant\":\"v3\""),
        entry("sha256:" + "2".repeat(64), "linux", "amd64", ",\"variant\":\"v2\""));

    assertEquals(Optional.of(AMD64_V3), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_firstOfDuplicates() {
    byte[] json = index(entry(AMD64, "linux", "amd64", ""), entry(ARM64, "linux", "amd64", ""));

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_noAmd64() {
    byte[] json = index(
        entry(ARM64, "linux", "arm64", ""), entry(AMD64, "windows", "amd64", ""),
        entry(ARM_V7, "Linux", "AMD64", ""), attestation(ATTESTATION, ARM64));

    assertEquals(Optional.empty(), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @Test
  void defaultPlatformDigest_noPlatforms() {
    String bare = "{\"mediaType\":\"" + OCI_MANIFEST + "\",\"digest\":\"" + AMD64 + "\",\"size\":1}";

    assertEquals(Optional.empty(), ManifestNegotiation.defaultPlatformDigest(index(bare)));
    assertEquals(Optional.empty(), ManifestNegotiation.defaultPlatformDigest(index()));
  }

  @Test
  void defaultPlatformDigest_invalidDigestSkipped() {
    byte[] json = index(
        entry("sha256:../../etc/passwd", "linux", "amd64", ""),
        entry("sha512:" + "a".repeat(128), "linux", "amd64", ""),
        entry("SHA256:" + "A".repeat(64), "linux", "amd64", ""),
        entry(AMD64, "linux", "amd64", ""));

    assertEquals(Optional.of(AMD64), ManifestNegotiation.defaultPlatformDigest(json));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", " ", "null", "[]", "{}", "42", "\"manifests\"", "{\"manifests\":{}}",
      "{\"manifests\":null}", "{\"manifests\":\"x\"}", "{\"manifests\":[null,1,\"x\",[],{}]}",
      "{\"manifests\":[{\"digest\":42,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
      "{\"manifests\":[{\"digest\":null,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
      "{\"manifests\":[{\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}",
      "{\"manifests\":[{\"digest\":\"sha256:aaaa\",\"platform\":\"linux/amd64\"}]}",
      "{\"manifests\":[{\"digest\":\"x\",\"platform\":{\"os\":[\"linux\"],\"architecture\":1}}]}",
      "{\"manifests\":[", "not json at all", "\0\0\0", "{\"manifests\":[]}garbage["})
  void defaultPlatformDigest_malformed(String text) {
    assertEquals(Optional.empty(),
        ManifestNegotiation.defaultPlatformDigest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void defaultPlatformDigest_deeplyNested() {
    String nested = "{\"manifests\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

    assertEquals(Optional.empty(),
        ManifestNegotiation.defaultPlatformDigest(nested.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void defaultPlatformDigest_invalidUtf8() {
    byte[] json = index(entry(AMD64, "linux", "amd#64", ""));
    int marker = new String(json, StandardCharsets.ISO_8859_1).indexOf('#');
    json[marker] = (byte) 0xff;

    assertEquals(Optional.empty(), ManifestNegotiation.defaultPlatformDigest(json));
  }
}
