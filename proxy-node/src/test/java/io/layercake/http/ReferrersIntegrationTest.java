package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MediaTypes;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The referrers API through the mirror: a quay-like upstream that has it (two descriptors a page),
 * and Docker Hub's fake, which answers 404 like Docker Hub and GHCR. A verifier trusts a 200, so
 * the mirror answers one only with upstream's whole list.
 */
class ReferrersIntegrationTest {

  private static final String SIGNATURE = "application/vnd.dev.cosign.artifact.sig.v1+json";
  private static final String SBOM = "application/spdx+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dataDir;
  private static FakeRegistry hub;
  private static FakeRegistry quay;
  private static TestNode node;
  private static RegistryClient client;

  @BeforeAll
  static void start() {
    hub = FakeRegistry.start();
    quay = FakeRegistry.start(FakeRegistry.Options.defaults().referrers(2));
    node = TestNode.start(dataDir, hub.url(), Map.of(
        "layercake.upstreams.quay.url", quay.url(),
        "layercake.upstreams.quay.namespaces", List.of("quay.io"),
        "layercake.upstream-client.min-backoff", "10ms"));
    client = new RegistryClient(node.url());
  }

  @AfterAll
  static void stop() {
    node.close();
    hub.close();
    quay.close();
  }

  @Test
  void referrers_areUpstreamsWholeList_readAcrossItsPages_andCachedBriefly() throws IOException {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 501, 800);
    FakeImages.publish(quay, "org/signed", "1", image);
    List<String> expected = new ArrayList<>();
    expected.add(refer(quay, "org/signed", image, SIGNATURE, "one"));
    expected.add(refer(quay, "org/signed", image, SIGNATURE, "two"));
    expected.add(refer(quay, "org/signed", image, SBOM, "three"));
    quay.resetCounts();

    HttpResponse<byte[]> first = client.get("/v2/quay.io/org/signed/referrers/" + image.digest());
    HttpResponse<byte[]> again = client.get("/v2/quay.io/org/signed/referrers/" + image.digest());

    assertEquals(200, first.statusCode(), body(first));
    assertEquals(MediaTypes.OCI_INDEX, first.headers().firstValue("Content-Type").orElse(""));
    JsonNode index = JSON.readTree(first.body());
    assertEquals(2, index.get("schemaVersion").asInt());
    assertEquals(MediaTypes.OCI_INDEX, index.get("mediaType").asText());
    assertEquals(expected.stream().sorted().toList(), digests(index));
    assertEquals(2, quay.count("GET", "/v2/org/signed/referrers/"), "two pages of two");
    assertEquals(body(first), body(again), "the second answer is the cached list");
    HttpResponse<byte[]> head = client.head("/v2/quay.io/org/signed/referrers/" + image.digest());
    assertEquals(200, head.statusCode());
    assertEquals(String.valueOf(first.body().length), head.headers().firstValue("Content-Length").orElse(""));
    assertEquals(0, head.body().length);
    assertEquals(2, quay.count("GET", "/referrers/"), "no upstream call for the second or the HEAD");
  }

  @Test
  void artifactTypeFilter_isAppliedAndSaidSo() throws IOException {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 502, 800);
    FakeImages.publish(quay, "org/filtered", "1", image);
    refer(quay, "org/filtered", image, SIGNATURE, "sig");
    String sbom = refer(quay, "org/filtered", image, SBOM, "sbom");

    HttpResponse<byte[]> filtered = client.get("/v2/org/filtered/referrers/" + image.digest()
        + "?ns=quay.io&artifactType=" + SBOM.replace("+", "%2B"));

    assertEquals(200, filtered.statusCode(), body(filtered));
    assertEquals(List.of(sbom), digests(JSON.readTree(filtered.body())));
    assertEquals("artifactType", filtered.headers().firstValue("OCI-Filters-Applied").orElse(""));
    assertEquals("quay.io", filtered.headers().firstValue("OCI-Namespace").orElse(""));
  }

  @Test
  void noReferrers_isAnEmptyIndex_notA404() throws IOException {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 503, 800);
    FakeImages.publish(quay, "org/plain", "1", image);

    HttpResponse<byte[]> none = client.get("/v2/quay.io/org/plain/referrers/" + image.digest());

    assertEquals(200, none.statusCode(), body(none));
    assertEquals(List.of(), digests(JSON.readTree(none.body())));
  }

  /**
   * cosign's verification, request by request, against a registry without the referrers API:
   * resolve the tag, ask for referrers (404), then read the {@code sha256-<hex>.sig} tag's
   * manifest and its layers.
   */
  @Test
  void upstreamWithoutReferrersApi_is404_andTheSignatureTagThenServesTheSignature() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 504, 800);
    Image signature = TestImage.singlePlatform(ImageFormat.OCI, 507, 300);
    FakeImages.publish(hub, "org/app", "1", image);
    FakeImages.publish(hub, "org/app", image.digest().replace(':', '-') + ".sig", signature);

    HttpResponse<byte[]> tag = client.get("/v2/org/app/manifests/1", "Accept", MediaTypes.OCI_MANIFEST);
    assertEquals(image.digest(), RegistryClient.digestOf(tag.body()));
    HttpResponse<byte[]> referrers = client.get("/v2/org/app/referrers/" + image.digest());
    assertEquals(404, referrers.statusCode(), body(referrers));
    assertEquals(1, hub.count("GET", "/v2/org/app/referrers/"));
    HttpResponse<byte[]> sig = client.get("/v2/org/app/manifests/" + image.digest().replace(':', '-') + ".sig",
        "Accept", MediaTypes.OCI_MANIFEST);
    assertEquals(200, sig.statusCode(), body(sig));
    assertEquals(signature.digest(), RegistryClient.digestOf(sig.body()));
    for (String digest : signature.blobDigests()) {
      HttpResponse<byte[]> blob = client.get("/v2/org/app/blobs/" + digest);
      assertEquals(digest, RegistryClient.digestOf(blob.body()));
    }
  }

  @Test
  void listLongerThanTheMirrorReads_orAnUpstreamOutage_isNeverA200() {
    try (FakeRegistry onePerPage = FakeRegistry.start(FakeRegistry.Options.defaults().referrers(1))) {
      Image image = TestImage.singlePlatform(ImageFormat.OCI, 505, 800);
      FakeImages.publish(onePerPage, "org/long", "1", image);
      for (int i = 0; i < 17; i++) {
        refer(onePerPage, "org/long", image, SIGNATURE, "signature " + i);
      }
      Path otherData = dataDir.resolve("long");
      try (TestNode longNode = TestNode.start(otherData, onePerPage.url())) {
        HttpResponse<byte[]> tooLong = new RegistryClient(longNode.url())
            .get("/v2/org/long/referrers/" + image.digest());
        assertEquals(503, tooLong.statusCode(), body(tooLong));
        assertTrue(body(tooLong).contains("16 pages"), body(tooLong));
      }
    }

    Image image = TestImage.singlePlatform(ImageFormat.OCI, 506, 800);
    FakeImages.publish(quay, "org/outage", "1", image);
    refer(quay, "org/outage", image, SIGNATURE, "sig");
    quay.inject(Fault.status(500), "/v2/org/outage/referrers/", FakeRegistry.FOREVER);
    try {
      HttpResponse<byte[]> outage = client.get("/v2/quay.io/org/outage/referrers/" + image.digest());
      assertEquals(503, outage.statusCode(), body(outage));
    } finally {
      quay.clearFaults();
    }
    HttpResponse<byte[]> recovered = client.get("/v2/quay.io/org/outage/referrers/" + image.digest());
    assertEquals(200, recovered.statusCode(), "an outage is not remembered: " + body(recovered));
  }

  @Test
  void malformedDigestOrArtifactType_is400_andNoUpstreamIsAsked() {
    quay.resetCounts();
    HttpResponse<byte[]> digest = client.get("/v2/quay.io/org/app/referrers/sha256:nothex");
    HttpResponse<byte[]> type = client.get("/v2/quay.io/org/app/referrers/sha256:" + "a".repeat(64)
        + "?artifactType=not-a-media-type");

    assertEquals(400, digest.statusCode(), body(digest));
    assertTrue(body(digest).contains("DIGEST_INVALID"), body(digest));
    assertEquals(400, type.statusCode(), body(type));
    assertTrue(body(type).contains("MANIFEST_INVALID"), body(type));
    assertEquals(0, quay.requests().size());
  }

  /** Pushes an artifact manifest whose subject is {@code image}; returns its digest. */
  private static String refer(FakeRegistry registry, String repository, Image image, String artifactType,
      String content) {
    String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\","
        + "\"artifactType\":\"" + artifactType + "\","
        + "\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
        + "\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
        + "\"layers\":[],\"annotations\":{\"content\":\"" + content + "\"},"
        + "\"subject\":{\"mediaType\":\"" + image.manifest().mediaType() + "\",\"digest\":\"" + image.digest()
        + "\",\"size\":" + image.manifest().bytes().length + "}}";
    return registry.putManifest(repository, null, MediaTypes.OCI_MANIFEST, manifest.getBytes(StandardCharsets.UTF_8));
  }

  private static List<String> digests(JsonNode index) {
    List<String> digests = new ArrayList<>();
    index.get("manifests").forEach(descriptor -> digests.add(descriptor.get("digest").asText()));
    return digests.stream().sorted().toList();
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
