package io.layercake.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake's own behaviour, checked with the JDK's HTTP client so that a bug shared with the
 * system under test (Akka HTTP) cannot hide here: endpoints, auth, the CDN, and each fault.
 */
class FakeRegistryTest {

  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .followRedirects(HttpClient.Redirect.NEVER)
      .build();
  private FakeRegistry fake;

  @AfterEach
  void stop() {
    if (fake != null) {
      fake.close();
    }
  }

  @Test
  void blob_servedWithDigestAndLength() throws Exception {
    fake = FakeRegistry.start();
    byte[] bytes = "layer bytes".getBytes(StandardCharsets.UTF_8);
    String digest = fake.putBlob("library/redis", bytes);

    HttpResponse<byte[]> get = send("GET", "/v2/library/redis/blobs/" + digest);
    HttpResponse<byte[]> head = send("HEAD", "/v2/library/redis/blobs/" + digest);

    assertEquals(200, get.statusCode());
    assertArrayEquals(bytes, get.body());
    assertEquals(digest, get.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(200, head.statusCode());
    assertEquals(String.valueOf(bytes.length),
        head.headers().firstValue("Content-Length").orElseThrow());
    assertEquals(0, head.body().length);
  }

  @Test
  void blob_singleRangeServedPartially() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", "0123456789".getBytes(StandardCharsets.UTF_8));

    String path = "/v2/library/redis/blobs/" + digest;
    HttpResponse<byte[]> middle = send("GET", path, "Range", "bytes=2-4");
    HttpResponse<byte[]> suffix = send("GET", path, "Range", "bytes=-3");
    HttpResponse<byte[]> beyond = send("GET", path, "Range", "bytes=10-");

    assertEquals(206, middle.statusCode());
    assertEquals("234", new String(middle.body(), StandardCharsets.UTF_8));
    assertEquals("bytes 2-4/10", middle.headers().firstValue("Content-Range").orElseThrow());
    assertEquals("789", new String(suffix.body(), StandardCharsets.UTF_8));
    assertEquals(416, beyond.statusCode());
  }

  @Test
  void blobFile_streamedFromDisk(@TempDir Path dir) throws Exception {
    fake = FakeRegistry.start();
    byte[] bytes = new byte[300_000];
    new java.util.Random(1).nextBytes(bytes);
    Path file = Files.write(dir.resolve("blob"), bytes);
    String digest = FakeRegistry.sha256(bytes);
    fake.putBlobFile("library/big", digest, file);

    HttpResponse<byte[]> get = send("GET", "/v2/library/big/blobs/" + digest);

    assertArrayEquals(bytes, get.body());
    assertEquals(bytes.length, fake.bodyBytesSent());
  }

  @Test
  void manifest_negotiatedByAccept() throws Exception {
    fake = FakeRegistry.start();
    byte[] index = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
    String digest = fake.putManifest("library/redis", "7", OCI_INDEX, index);

    HttpResponse<byte[]> accepted = send("GET", "/v2/library/redis/manifests/7", "Accept",
        DOCKER_MANIFEST + ", " + OCI_INDEX);
    HttpResponse<byte[]> refused = send("GET", "/v2/library/redis/manifests/7", "Accept",
        DOCKER_MANIFEST);
    HttpResponse<byte[]> byDigest = send("HEAD", "/v2/library/redis/manifests/" + digest,
        "Accept", OCI_INDEX);

    assertEquals(200, accepted.statusCode());
    assertArrayEquals(index, accepted.body());
    assertEquals(OCI_INDEX, accepted.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(digest, accepted.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals("100;w=21600", accepted.headers().firstValue("ratelimit-limit").orElseThrow());
    assertEquals("99;w=21600", accepted.headers().firstValue("ratelimit-remaining").orElseThrow());
    assertEquals(404, refused.statusCode());
    assertTrue(body(refused).contains("MANIFEST_UNKNOWN"));
    assertEquals(200, byDigest.statusCode());
    assertEquals(String.valueOf(index.length),
        byDigest.headers().firstValue("Content-Length").orElseThrow());
  }

  @Test
  void manifest_movedByPutAndRemovedTag() throws Exception {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", DOCKER_MANIFEST, "{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    String second = fake.putManifest("library/redis", "7", DOCKER_MANIFEST,
        "{\"a\":2}".getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> moved = send("GET", "/v2/library/redis/manifests/7");
    fake.removeTag("library/redis", "7");
    HttpResponse<byte[]> removed = send("GET", "/v2/library/redis/manifests/7");

    assertEquals(second, moved.headers().firstValue("Docker-Content-Digest").orElseThrow());
    assertEquals(404, removed.statusCode());
  }

  @Test
  void unknowns_answerOciErrorCodes() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", new byte[] {1});

    assertTrue(body(send("GET", "/v2/library/nope/manifests/7")).contains("NAME_UNKNOWN"));
    assertTrue(body(send("GET", "/v2/library/redis/manifests/7")).contains("MANIFEST_UNKNOWN"));
    assertTrue(body(send("GET", "/v2/library/redis/blobs/sha256:" + "0".repeat(64)))
        .contains("BLOB_UNKNOWN"));
    fake.removeBlob("library/redis", digest);
    assertEquals(404, send("GET", "/v2/library/redis/blobs/" + digest).statusCode());
  }

  @Test
  void tagsList_paginatesWithLink() throws Exception {
    fake = FakeRegistry.start();
    for (String tag : new String[] {"c", "a", "b"}) {
      fake.putManifest("library/redis", tag, DOCKER_MANIFEST, tag.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<byte[]> first = send("GET", "/v2/library/redis/tags/list?n=2");
    HttpResponse<byte[]> rest = send("GET", "/v2/library/redis/tags/list?n=2&last=b");

    assertEquals("{\"name\":\"library/redis\",\"tags\":[\"a\",\"b\"]}", body(first));
    assertEquals("</v2/library/redis/tags/list?n=2&last=b>; rel=\"next\"",
        first.headers().firstValue("Link").orElseThrow());
    assertEquals("{\"name\":\"library/redis\",\"tags\":[\"c\"]}", body(rest));
    assertFalse(rest.headers().firstValue("Link").isPresent());
  }

  @Test
  void tokenAuth_challengesThenAcceptsScopedToken() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    fake.putManifest("library/redis", "7", DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));
    fake.putManifest("library/other", "1", DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> challenged = send("GET", "/v2/library/redis/manifests/7");
    String token = token(send("GET", "/token?service=fake-registry&scope=repository:library/redis:pull"));
    HttpResponse<byte[]> allowed = send("GET", "/v2/library/redis/manifests/7",
        "Authorization", "Bearer " + token);
    HttpResponse<byte[]> otherRepo = send("GET", "/v2/library/other/manifests/1",
        "Authorization", "Bearer " + token);

    assertEquals(401, challenged.statusCode());
    assertEquals("Bearer realm=\"" + fake.url() + "/token\",service=\"fake-registry\","
            + "scope=\"repository:library/redis:pull\"",
        challenged.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals(200, allowed.statusCode());
    assertEquals(401, otherRepo.statusCode());
  }

  @Test
  void tokenAuth_credentialsRequiredByTokenService() throws Exception {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).credentials("alice", "s3cret"));
    String path = "/token?service=fake-registry&scope=repository:library/redis:pull";

    HttpResponse<byte[]> anonymous = send("GET", path);
    HttpResponse<byte[]> wrong = send("GET", path, "Authorization", basic("alice", "nope"));
    HttpResponse<byte[]> right = send("GET", path, "Authorization", basic("alice", "s3cret"));

    assertEquals(401, anonymous.statusCode());
    assertEquals(401, wrong.statusCode());
    assertEquals(200, right.statusCode());
    assertTrue(body(right).contains("\"expires_in\":300"));
  }

  @Test
  void externalRealm_namedInChallengeAndTrusted() throws Exception {
    try (FakeRegistry tokenServer = FakeRegistry.start()) {
      fake = FakeRegistry.start(
          FakeRegistry.Options.defaults().tokenAuth(true).externalRealm(tokenServer));
      fake.putManifest("library/redis", "7", DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));

      HttpResponse<byte[]> challenged = send("GET", "/v2/library/redis/manifests/7");
      HttpResponse<byte[]> tokenResponse = http.send(HttpRequest.newBuilder(URI.create(
              tokenServer.url() + "/token?service=fake-registry&scope=repository:library/redis:pull"))
          .build(), HttpResponse.BodyHandlers.ofByteArray());
      HttpResponse<byte[]> allowed = send("GET", "/v2/library/redis/manifests/7",
          "Authorization", "Bearer " + token(tokenResponse));

      assertTrue(challenged.headers().firstValue("WWW-Authenticate").orElseThrow()
          .contains("realm=\"" + tokenServer.url() + "/token\""));
      assertEquals(200, allowed.statusCode());
      assertEquals(1, tokenServer.count("GET", "^/token$"));
    }
  }

  @Test
  void basicAuth_requiresCredentials() throws Exception {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().basicAuth(true).credentials("alice", "s3cret"));
    fake.putManifest("library/redis", "7", DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> anonymous = send("GET", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> allowed = send("GET", "/v2/library/redis/manifests/7",
        "Authorization", basic("alice", "s3cret"));

    assertEquals(401, anonymous.statusCode());
    assertEquals("Basic realm=\"fake-registry\"",
        anonymous.headers().firstValue("WWW-Authenticate").orElseThrow());
    assertEquals(200, allowed.statusCode());
  }

  @Test
  void redirectBlobs_cdnServesBytesAndRejectsAuthorization() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().redirectBlobs(true));
    byte[] bytes = "cdn bytes".getBytes(StandardCharsets.UTF_8);
    String digest = fake.putBlob("library/redis", bytes);

    HttpResponse<byte[]> redirect = send("GET", "/v2/library/redis/blobs/" + digest);
    String location = redirect.headers().firstValue("Location").orElseThrow();
    HttpResponse<byte[]> fromCdn = http.send(HttpRequest.newBuilder(URI.create(location)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> withAuth = http.send(HttpRequest.newBuilder(URI.create(location))
        .header("Authorization", "Bearer leaked").build(), HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(307, redirect.statusCode());
    assertTrue(location.startsWith(fake.cdnUrl() + "/cdn/v2/library/redis/blobs/"));
    assertArrayEquals(bytes, fromCdn.body());
    assertEquals(400, withAuth.statusCode());
    assertEquals(2, fake.count("GET", "^/cdn/"));
    assertTrue(fake.requests().get(2).hasAuthorization());
  }

  @Test
  void resetMidBody_cutsConnectionInsideBody() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", new byte[100_000]);
    fake.inject(Fault.resetMidBody(10_000), "/blobs/", 1);

    assertThrows(IOException.class, () -> send("GET", "/v2/library/redis/blobs/" + digest));
    assertEquals(100_000, send("GET", "/v2/library/redis/blobs/" + digest).body().length);
  }

  @Test
  void wrongBytes_keepsLengthChangesDigest() throws Exception {
    fake = FakeRegistry.start();
    byte[] bytes = new byte[1000];
    String digest = fake.putBlob("library/redis", bytes);
    fake.inject(Fault.wrongBytes(), "/blobs/", 1);

    byte[] served = send("GET", "/v2/library/redis/blobs/" + digest).body();

    assertEquals(bytes.length, served.length);
    assertNotEquals(digest, FakeRegistry.sha256(served));
  }

  @Test
  void status_and_tooManyRequests_answerThenRunOut() throws Exception {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));
    fake.inject(Fault.status(503), "/manifests/", 1);
    fake.inject(Fault.tooManyRequests(Duration.ofSeconds(7)), "/manifests/", 1);

    HttpResponse<byte[]> unavailable = send("GET", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> limited = send("GET", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> fine = send("GET", "/v2/library/redis/manifests/7");

    assertEquals(503, unavailable.statusCode());
    assertEquals(429, limited.statusCode());
    assertEquals("7", limited.headers().firstValue("Retry-After").orElseThrow());
    assertEquals("0;w=21600", limited.headers().firstValue("ratelimit-remaining").orElseThrow());
    assertTrue(body(limited).contains("TOOMANYREQUESTS"));
    assertEquals(200, fine.statusCode());
    assertEquals(3, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void pullLimit_countsGetsNotHeads_thenAnswersDockerHubs429() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().pullLimit(2, Duration.ofSeconds(60)));
    fake.putManifest("library/redis", "7", DOCKER_MANIFEST, "{}".getBytes(StandardCharsets.UTF_8));

    HttpResponse<byte[]> first = send("GET", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> head = send("HEAD", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> second = send("GET", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> refused = send("GET", "/v2/library/redis/manifests/7");
    HttpResponse<byte[]> stillFree = send("HEAD", "/v2/library/redis/manifests/7");

    assertEquals("2;w=60", first.headers().firstValue("ratelimit-limit").orElseThrow());
    assertEquals("1;w=60", first.headers().firstValue("ratelimit-remaining").orElseThrow());
    assertEquals("1;w=60", head.headers().firstValue("ratelimit-remaining").orElseThrow(), "a HEAD is free");
    assertEquals("127.0.0.1", head.headers().firstValue("docker-ratelimit-source").orElseThrow());
    assertEquals("0;w=60", second.headers().firstValue("ratelimit-remaining").orElseThrow());
    assertEquals(429, refused.statusCode());
    assertTrue(body(refused).contains("TOOMANYREQUESTS") && body(refused).contains("pull rate limit"), body(refused));
    long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
    assertTrue(retryAfter > 0 && retryAfter <= 60, "until the first pull leaves the window: " + retryAfter);
    assertEquals(200, stillFree.statusCode());
  }

  @Test
  void bodyFault_notTakenByResponsesWithoutBody() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().redirectBlobs(true));
    String digest = fake.putBlob("library/redis", new byte[50_000]);
    fake.inject(Fault.resetMidBody(1000), "/blobs/", 1);

    HttpResponse<byte[]> redirect = send("GET", "/v2/library/redis/blobs/" + digest);
    URI cdn = URI.create(redirect.headers().firstValue("Location").orElseThrow());

    assertEquals(307, redirect.statusCode());
    assertThrows(IOException.class, () -> http.send(HttpRequest.newBuilder(cdn).build(),
        HttpResponse.BodyHandlers.ofByteArray()));
  }

  @Test
  void stall_pausesOneResponseWithoutBlockingOthers() throws Exception {
    fake = FakeRegistry.start();
    String stalled = fake.putBlob("library/redis", new byte[100_000]);
    String other = fake.putBlob("library/redis", new byte[] {7});
    fake.inject(Fault.stall(1000, Duration.ofSeconds(2)), "/blobs/" + stalled, 1);

    long started = System.nanoTime();
    CompletableFuture<HttpResponse<byte[]>> slow = http.sendAsync(
        HttpRequest.newBuilder(URI.create(fake.url() + "/v2/library/redis/blobs/" + stalled)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> quick = send("GET", "/v2/library/redis/blobs/" + other);

    assertFalse(slow.isDone(), "the stalled response must still be pending");
    assertEquals(1, quick.body().length);
    assertEquals(100_000, slow.get(10, TimeUnit.SECONDS).body().length);
    assertTrue(System.nanoTime() - started >= Duration.ofSeconds(2).toNanos());
  }

  @Test
  void latencyAndThrottle_slowResponsesDown() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", new byte[400_000]);
    fake.inject(Fault.latency(Duration.ofMillis(300)), "/blobs/", 1);
    fake.inject(Fault.throttle(1_000_000), "/blobs/", 1);

    long started = System.nanoTime();
    HttpResponse<byte[]> response = send("GET", "/v2/library/redis/blobs/" + digest);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertEquals(400_000, response.body().length);
    // 300 ms of latency plus 400 kB at 1 MB/s.
    assertTrue(took.compareTo(Duration.ofMillis(650)) >= 0, "took only " + took);
  }

  @Test
  void requests_recordedCountedAndReset() throws Exception {
    fake = FakeRegistry.start();

    send("GET", "/v2/", "Authorization", "Bearer x");
    send("HEAD", "/v2/library/redis/manifests/7");

    assertEquals(1, fake.count("GET", "^/v2/$"));
    assertEquals(1, fake.count("HEAD", "/manifests/"));
    assertEquals("Bearer x", fake.requests().get(0).header("authorization").orElseThrow());
    fake.resetCounts();
    assertTrue(fake.requests().isEmpty());
  }

  private HttpResponse<byte[]> send(String method, String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.url() + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }

  private static String token(HttpResponse<byte[]> response) {
    Matcher match = TOKEN.matcher(body(response));
    assertTrue(match.find(), "no token in " + body(response));
    return match.group(1);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
