package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.RawHttp;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and malformed requests get a 4xx with OCI error JSON: never a 500, never a crash, and
 * nothing is written anywhere, inside the data folder or outside it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestIntegrationTest {

  private static final String HEX = "a".repeat(64);
  private static final String BLOB = "/v2/library/redis/blobs/sha256:" + HEX;

  @TempDir static Path sandbox;
  private FakeRegistry upstream;
  private TestNode node;
  private int port;

  @BeforeAll
  void start() {
    upstream = FakeRegistry.start();
    node = TestNode.start(sandbox.resolve("data"), upstream.url());
    port = node.node().address().getPort();
  }

  @AfterAll
  void stop() throws IOException {
    node.close();
    upstream.close();
    assertEquals(0, upstream.requests().size(), "no malformed request may reach upstream");
    try (Stream<Path> top = Files.list(sandbox)) {
      assertEquals(List.of(sandbox.resolve("data")), top.toList(), "written outside the data folder");
    }
    try (Stream<Path> blobs = Files.walk(sandbox.resolve("data/blobs"))) {
      List<String> stored = blobs.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).toList();
      List<String> expected = cachedDigest == null ? List.of() : List.of(cachedDigest.substring(7));
      assertEquals(expected, stored, "only the well-formed range fixture may be stored");
    }
  }

  static Stream<String> requests() {
    List<String> all = new ArrayList<>();
    // Repository names.
    for (String name : List.of("UPPER", "../etc", "%2e%2e", "library/%2e%2e", "library/..%2f..%2fetc",
        "a//b", "-a", "a-", "a___b", "x".repeat(256), "library/red%00is", "library/red%20is",
        "library/redis%2F", ".hidden", "library/.", "library/redis/", "a.-b", "%E2%80%AEredis")) {
      all.add("GET /v2/" + name + "/manifests/latest HTTP/1.1");
    }
    // Tags and manifest references.
    for (String ref : List.of(".latest", "-latest", "t".repeat(129), "la%20test", "%2e%2e",
        "lat$est", "sha256:zzzz", "sha256:" + HEX.toUpperCase(), "sha512:" + HEX + HEX, ":")) {
      all.add("GET /v2/library/redis/manifests/" + ref + " HTTP/1.1");
    }
    // Blob digests.
    for (String digest : List.of("sha256:abc", "sha256:" + HEX.toUpperCase(), "sha512:" + HEX + HEX,
        "md5:abc", "sha256:" + HEX.substring(1), "sha256:" + HEX + "a", "%00", "sha256:..%2F..%2Fetc",
        "sha256%3A" + HEX.substring(2) + "%2e%2e", "latest")) {
      all.add("GET /v2/library/redis/blobs/" + digest + " HTTP/1.1");
    }
    // Methods a read-only mirror refuses, and methods nobody knows.
    all.add("PUT /v2/library/redis/manifests/latest HTTP/1.1\r\nContent-Length: 0");
    all.add("DELETE " + BLOB + " HTTP/1.1");
    all.add("POST /v2/library/redis/blobs/uploads/ HTTP/1.1\r\nContent-Length: 0");
    all.add("PATCH /v2/library/redis/blobs/uploads/123 HTTP/1.1\r\nContent-Length: 0");
    all.add("FOO /v2/ HTTP/1.1");
    all.add("BREW /v2/library/redis/manifests/latest HTTP/1.1");
    all.add("OPTIONS /v2/ HTTP/1.1");
    all.add("TRACE /v2/ HTTP/1.1");
    // Pagination and query strings.
    for (String query : List.of("/v2/library/redis/tags/list?n=-1", "/v2/library/redis/tags/list?n=abc",
        "/v2/library/redis/tags/list?n=99999999999", "/v2/_catalog?n=x", "/v2/_catalog?last=..%2F..",
        "/v2/library/redis/tags/list?last=%2e%2e", "/v2/_catalog?n=%zz",
        "/v2/library/redis/manifests/latest?ns=evil.example.com")) {
      all.add("GET " + query + " HTTP/1.1");
    }
    // Paths that are no endpoint, and broken encodings.
    for (String path : List.of("/etc/passwd", "/v2/library/redis/manifests/", "/v2/library/redis/blobs/",
        "/v2/library/re%zzdis/manifests/latest", "/v2/..", "/../../etc/passwd", "/v2/library/redis")) {
      all.add("GET " + path + " HTTP/1.1");
    }
    // Oversized requests.
    all.add("GET /v2/" + "a/".repeat(6000) + "manifests/latest HTTP/1.1");
    all.add("GET /v2/ HTTP/1.1\r\nX-Big: " + "b".repeat(100_000));
    StringBuilder many = new StringBuilder("GET /v2/ HTTP/1.1");
    for (int i = 0; i < 200; i++) {
      many.append("\r\nX-H").append(i).append(": v");
    }
    all.add(many.toString());
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("requests")
  void malformedRequest_getsClientErrorWithOciJson(String request) throws IOException {
    RawHttp.Response response = RawHttp.send(port, request + "\r\nHost: 127.0.0.1");

    assertTrue(response.status() >= 400 && response.status() < 500,
        "status " + response.status() + " for " + abbreviate(request) + ": " + response.body());
    assertTrue(response.body().startsWith("{\"errors\":[{\"code\":\""),
        "not OCI error JSON for " + abbreviate(request) + ": " + response.body());
  }

  static Stream<String> badRanges() {
    return Stream.of("bytes=999999999-", "bytes=5-2", "bytes=abc", "bytes=-0", "bytes=0-1,5-6",
        "bytes=99999999999999999999999-", "bytes=--5", "bytes=", "bytes=1-2-3", "bytes= 5 - 6x");
  }

  @ParameterizedTest
  @MethodSource("badRanges")
  void badRange_onCachedBlob_getsRangeInvalid(String range) throws IOException {
    String digest = upstreamBlobCached();
    RawHttp.Response response = RawHttp.send(port,
        "GET /v2/library/ranges/blobs/" + digest + " HTTP/1.1\r\nRange: " + range + "\r\nHost: x");

    assertEquals(416, response.status(), range + ": " + response.body());
    assertTrue(response.body().contains("RANGE_INVALID"), response.body());
  }

  private String cachedDigest;

  private String upstreamBlobCached() throws IOException {
    if (cachedDigest == null) {
      cachedDigest = upstream.putBlob("library/ranges", new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
      RawHttp.Response warm = RawHttp.send(port,
          "GET /v2/library/ranges/blobs/" + cachedDigest + " HTTP/1.1\r\nHost: x");
      assertEquals(200, warm.status());
      upstream.resetCounts();
    }
    return cachedDigest;
  }

  private static String abbreviate(String request) {
    String line = request.split("\r\n", 2)[0];
    return line.length() > 120 ? line.substring(0, 120) + "..." : line;
  }
}
