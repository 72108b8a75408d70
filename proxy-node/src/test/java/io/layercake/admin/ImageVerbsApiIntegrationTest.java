package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.Sha256;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The image verbs' admin endpoints on one node with no reachable upstream: loading archives as
 * docker save writes them, refusing bad archives without committing anything, the token, and
 * OCI error JSON for bad input.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageVerbsApiIntegrationTest {

  private static final String TOKEN = "api-token";
  private static final String OCI_ACCEPT = "application/vnd.oci.image.manifest.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private TestNode node;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void start() {
    node = TestNode.start(work.resolve("node"), "http://127.0.0.1:" + FreePorts.next(),
        Map.of("layercake.admin.token", TOKEN));
  }

  @AfterAll
  void stop() {
    node.close();
  }

  @Test
  void load_readsTheWholeBodyBeforeAnswering_soAPipedClientGetsTheAnswer() throws Exception {
    // A pipe from 'layercake save' delivers the archive's end, and whatever padding follows, as
    // it comes. A node that answered at the first end block and closed with the rest unread reset
    // the connection under such a client, which then lost the answer.
    DockerSaveArchive image = new DockerSaveArchive(811, 1, "piped:1");
    byte[] archive = image.ociLayout();
    byte[] padding = new byte[10 * 1024];
    long pause = 600;
    RawUpload.Answer answer = RawUpload.post(URI.create(node.url()).getPort(), "/admin/load", TOKEN, archive.length + padding.length,
        out -> {
          out.write(archive);
          out.flush();
          Thread.sleep(pause);
          out.write(padding);
        }, Duration.ofSeconds(30));
    assertEquals(200, answer.status(), answer.body());
    assertTrue(answer.elapsed().toMillis() >= pause, "answered after " + answer.elapsed().toMillis()
        + " ms, before the body's last bytes were sent");
  }

  @Test
  void load_legacyDockerSave_buildsManifestOverStoredLayersAndTags() throws Exception {
    DockerSaveArchive image = new DockerSaveArchive(11, 2, "legacy:1");

    HttpResponse<String> response = load(image.legacy(), TOKEN);

    assertEquals(200, response.statusCode(), response.body());
    JsonNode report = JSON.readTree(response.body());
    assertEquals("legacy:1", report.path("images").path(0).path("names").path(0).asText());
    RegistryClient client = new RegistryClient(node.url());
    HttpResponse<byte[]> manifest = client.get("/v2/library/legacy/manifests/1", "Accept", OCI_ACCEPT);
    assertEquals(200, manifest.statusCode(), new String(manifest.body(), StandardCharsets.UTF_8));
    JsonNode layers = JSON.readTree(manifest.body()).path("layers");
    // Two layers, the second listed again through docker's link: three descriptors, two blobs.
    assertEquals(3, layers.size());
    for (int i = 0; i < 3; i++) {
      byte[] expected = image.layers.get(i == 2 ? 0 : i);
      assertEquals(Sha256.digest(expected), layers.path(i).path("digest").asText());
      assertEquals("application/vnd.oci.image.layer.v1.tar", layers.path(i).path("mediaType").asText());
      HttpResponse<byte[]> blob = client.get("/v2/library/legacy/blobs/" + Sha256.digest(expected));
      assertEquals(200, blob.statusCode());
      assertArrayEquals(expected, blob.body());
    }
    String config = JSON.readTree(manifest.body()).path("config").path("digest").asText();
    assertArrayEquals(image.config, client.get("/v2/library/legacy/blobs/" + config).body());
  }

  @Test
  void load_docker25OciLayout_keepsTheArchivesManifestDigest() throws Exception {
    DockerSaveArchive image = new DockerSaveArchive(12, 2, "oci25:2");

    HttpResponse<String> response = load(image.ociLayout(), TOKEN);

    assertEquals(200, response.statusCode(), response.body());
    HttpResponse<byte[]> manifest = new RegistryClient(node.url())
        .get("/v2/library/oci25/manifests/2", "Accept", OCI_ACCEPT);
    assertEquals(200, manifest.statusCode());
    assertArrayEquals(image.manifest(), manifest.body());
    assertEquals(Sha256.digest(image.manifest()), manifest.headers().firstValue("Docker-Content-Digest").orElse(""));
  }

  @Test
  void load_corruptBlob_400AndNothingCommitted() throws Exception {
    DockerSaveArchive image = new DockerSaveArchive(13, 3, "corrupt:1");
    byte[] archive = image.ociLayout();
    byte[] lastLayer = image.layers.get(2);
    int at = indexOf(archive, lastLayer) + lastLayer.length / 2;
    archive[at] ^= 0x01;
    Set<String> before = StoredBlobs.committed(node.dataDir());

    HttpResponse<String> response = load(archive, TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("DIGEST_INVALID", errorCode(response));
    assertTrue(response.body().contains(DockerSaveArchive.blobPath(lastLayer)), response.body());
    assertEquals(before, StoredBlobs.committed(node.dataDir()), "nothing committed");
    assertEquals(Set.of(), StoredBlobs.filling(node.dataDir()), "no temp file left");
    assertFalse(StoredBlobs.committed(node.dataDir()).contains(Sha256.digest(image.layers.get(0))));
    // Not tagged: the node asks its (unreachable) upstream instead of serving anything.
    assertEquals(503, new RegistryClient(node.url()).get("/v2/library/corrupt/manifests/1", "Accept", OCI_ACCEPT)
        .statusCode());
  }

  @Test
  void load_truncatedArchive_400AndNothingCommitted() throws Exception {
    DockerSaveArchive image = new DockerSaveArchive(14, 2, "truncated:1");
    byte[] archive = image.ociLayout();
    Set<String> before = StoredBlobs.committed(node.dataDir());

    HttpResponse<String> response = load(Arrays.copyOf(archive, indexOf(archive, image.layers.get(1)) + 100), TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("BLOB_UPLOAD_INVALID", errorCode(response));
    assertTrue(response.body().contains("truncated"), response.body());
    assertEquals(before, StoredBlobs.committed(node.dataDir()));
  }

  @Test
  void load_notATar_400() throws Exception {
    HttpResponse<String> response = load("this is not a tar archive\n".repeat(100).getBytes(StandardCharsets.UTF_8),
        TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("BLOB_UPLOAD_INVALID", errorCode(response));
    assertTrue(response.body().contains("not a tar archive"), response.body());
  }

  @Test
  void load_emptyBody_400() throws Exception {
    HttpResponse<String> response = load(new byte[0], TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals("BLOB_UPLOAD_INVALID", errorCode(response));
  }

  @Test
  void load_archiveLackingALayer_400() throws Exception {
    DockerSaveArchive image = new DockerSaveArchive(15, 1, "lacking:1");
    byte[] legacy = image.legacy();
    // Rename the layer member so manifest.json names a file the archive lacks.
    int at = indexOf(legacy, "layer.tar".getBytes(StandardCharsets.US_ASCII));
    legacy[at] = 'X';
    fixChecksum(legacy, at - at % 512);

    HttpResponse<String> response = load(legacy, TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertTrue(response.body().contains("lacks"), response.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST /admin/pull?image=redis", "GET /admin/save?image=redis", "POST /admin/load",
      "GET /admin/inspect?image=redis", "GET /admin/history?image=redis"})
  void everyEndpoint_withoutToken_401(String call) throws Exception {
    String[] parts = call.split(" ");
    HttpResponse<String> response = send(parts[0], parts[1], "x".repeat(2000).getBytes(StandardCharsets.UTF_8), null);

    assertEquals(401, response.statusCode(), response.body());
    assertEquals("UNAUTHORIZED", errorCode(response));
    HttpResponse<String> wrong = send(parts[0], parts[1], new byte[0], "wrong");
    assertEquals(401, wrong.statusCode(), wrong.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"POST /admin/pull?image=Bad:Ref", "POST /admin/pull", "POST /admin/pull?image=redis:bad%20tag",
      "POST /admin/pull?image=redis&platform=linux", "GET /admin/save?image=redis@sha256:123",
      "GET /admin/inspect?image=a//b", "GET /admin/history?image=", "GET /admin/history?image=redis@sha256:"
      + "0000000000000000000000000000000000000000000000000000000000000000"})
  void badInput_400WithOciJson(String call) throws Exception {
    String[] parts = call.split(" ");
    HttpResponse<String> response = send(parts[0], parts[1], new byte[0], TOKEN);

    assertEquals(400, response.statusCode(), response.body());
    assertTrue(JSON.readTree(response.body()).path("errors").path(0).has("code"), response.body());
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET /admin/pull?image=redis", "POST /admin/save?image=redis", "GET /admin/load",
      "POST /admin/inspect?image=redis", "DELETE /admin/history?image=redis"})
  void wrongMethod_405(String call) throws Exception {
    String[] parts = call.split(" ");
    HttpResponse<String> response = send(parts[0], parts[1], new byte[0], TOKEN);

    assertEquals(405, response.statusCode(), response.body());
  }

  @Test
  void pull_upstreamUnreachable_503NotA500() throws Exception {
    HttpResponse<String> response = send("POST", "/admin/pull?image=nowhere:1", new byte[0], TOKEN);

    assertEquals(503, response.statusCode(), response.body());
  }

  private HttpResponse<String> load(byte[] archive, String token) throws IOException, InterruptedException {
    return send("POST", "/admin/load", archive, token);
  }

  private HttpResponse<String> send(String method, String path, byte[] body, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String errorCode(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body()).path("errors").path(0).path("code").asText();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }

  private static void fixChecksum(byte[] archive, int headerStart) {
    for (int i = headerStart + 148; i < headerStart + 156; i++) {
      archive[i] = ' ';
    }
    long sum = 0;
    for (int i = headerStart; i < headerStart + 512; i++) {
      sum += archive[i] & 0xff;
    }
    byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, archive, headerStart + 148, 6);
    archive[headerStart + 154] = 0;
  }
}
