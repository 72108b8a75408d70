package io.layercake.upstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.SinkQueueWithCancel;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.ManualClock;
import io.layercake.testkit.RecordedRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link UpstreamRegistry} against {@link FakeRegistry}: auth, redirects, retries, faults. */
class UpstreamRegistryIntegrationTest {

  private static final RepositoryName REDIS = RepositoryName.parse("library/redis");
  private static final Reference TAG_7 = Reference.parse("7");
  private static final byte[] MANIFEST =
      "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\"}"
          .getBytes(StandardCharsets.UTF_8);
  private static final long TIMEOUT_SECONDS = 30;

  private static ActorTestKit testKit;
  private FakeRegistry fake;
  private FakeRegistry second;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("upstream-test",
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopFakes() {
    if (fake != null) {
      fake.close();
    }
    if (second != null) {
      second.close();
    }
  }

  // ---- auth ----

  @Test
  void fetchManifest_anonymousTokenFlow() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    String digest = fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    ManifestContent manifest = await(client(fake, "").fetchManifest(REDIS, TAG_7));

    assertEquals(Digest.parse(digest), manifest.digest());
    assertEquals(MediaType.OCI_INDEX, manifest.mediaType());
    assertArrayEquals(MANIFEST, manifest.bytes());
    assertEquals(2, fake.count("GET", "/manifests/7$"));
    RecordedRequest token = only(fake, "^/token$");
    assertFalse(token.hasAuthorization());
    assertTrue(token.query().contains("scope=repository%3Alibrary%2Fredis%3Apull"), token.query());
    assertTrue(fake.requests().get(2).header("Authorization").orElseThrow().startsWith("Bearer "));
  }

  @Test
  void token_cachedPerScope() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.putManifest("library/nginx", "1", MediaType.OCI_INDEX, MANIFEST);
    String blob = fake.putBlob("library/redis", new byte[] {1, 2, 3});
    UpstreamRegistry client = client(fake, "");

    for (int i = 0; i < 5; i++) {
      await(client.fetchManifest(REDIS, TAG_7));
      await(client.headManifest(REDIS, TAG_7));
      consume(await(client.fetchBlob(REDIS, Digest.parse(blob))));
    }
    await(client.fetchManifest(RepositoryName.parse("library/nginx"), Reference.parse("1")));

    assertEquals(2, fake.count("GET", "^/token$"));
    // One challenge per repository; every later request carried the cached token.
    assertEquals(6 + 2, fake.count("GET", "/manifests/"));
    assertEquals(5, fake.count("HEAD", "/manifests/"));
    assertEquals(5, fake.count("GET", "/blobs/"));
  }

  @Test
  void token_oneFetchForConcurrentRequests() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    UpstreamRegistry client = client(fake, "");

    List<CompletableFuture<ManifestContent>> pulls = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      pulls.add(client.fetchManifest(REDIS, TAG_7).toCompletableFuture());
    }
    for (CompletableFuture<ManifestContent> pull : pulls) {
      assertArrayEquals(MANIFEST, await(pull).bytes());
    }

    assertEquals(1, fake.count("GET", "^/token$"));
  }

  @Test
  void token_renewedWhenItExpires() throws Exception {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).tokenLifetime(Duration.ofSeconds(300)));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    ManualClock clock = new ManualClock();
    UpstreamRegistry client = new UpstreamRegistry(testKit.system(), settings(fake, ""), clock);
    await(client.fetchManifest(REDIS, TAG_7));

    clock.advance(Duration.ofSeconds(269));
    await(client.fetchManifest(REDIS, TAG_7));
    clock.advance(Duration.ofSeconds(2));
    await(client.fetchManifest(REDIS, TAG_7));

    // Dropped 30 s (the capped margin) before expires_in: the next request goes without it,
    // meets the challenge, and fetches a fresh token.
    assertEquals(2, fake.count("GET", "^/token$"));
    assertEquals(5, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void token_refusedTokenReplacedOnce() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    UpstreamRegistry client = client(fake, "");
    await(client.fetchManifest(REDIS, TAG_7));
    fake.revokeTokens();

    await(client.fetchManifest(REDIS, TAG_7));

    assertEquals(2, fake.count("GET", "^/token$"));
    assertEquals(4, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void credentials_sentToOwnTokenService() throws Exception {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).credentials("alice", "s3cret"));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    await(client(fake, credentials("alice", "s3cret")).fetchManifest(REDIS, TAG_7));

    assertTrue(only(fake, "^/token$").header("Authorization").orElseThrow().startsWith("Basic "));
  }

  @Test
  void credentials_wrongPasswordDenied() {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).credentials("alice", "s3cret"));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    OciException error = failure(
        client(fake, credentials("alice", "wrong")).fetchManifest(REDIS, TAG_7));

    assertEquals(ErrorCode.DENIED, error.code());
    assertFalse(error.getMessage().contains("wrong"), error.getMessage());
  }

  @Test
  void credentials_notSentToForeignRealm() throws Exception {
    second = FakeRegistry.start();
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).externalRealm(second));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    await(client(fake, credentials("alice", "s3cret")).fetchManifest(REDIS, TAG_7));

    assertFalse(only(second, "^/token$").hasAuthorization());
  }

  @Test
  void credentials_sentToListedRealm() throws Exception {
    second = FakeRegistry.start(FakeRegistry.Options.defaults().credentials("alice", "s3cret"));
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).externalRealm(second));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    await(client(fake, credentials("alice", "s3cret")
        + "layercake.upstreams.docker-hub.auth-realms = [\"" + second.url() + "/token\"]\n")
        .fetchManifest(REDIS, TAG_7));

    assertTrue(only(second, "^/token$").hasAuthorization());
  }

  @Test
  void basicChallenge_answeredWithCredentials() throws Exception {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().basicAuth(true).credentials("alice", "s3cret"));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    UpstreamRegistry client = client(fake, credentials("alice", "s3cret"));

    await(client.fetchManifest(REDIS, TAG_7));
    await(client.fetchManifest(REDIS, TAG_7));

    // One challenge, then Basic up front.
    assertEquals(3, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void basicChallenge_withoutCredentialsDenied() {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().basicAuth(true).credentials("alice", "s3cret"));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    assertEquals(ErrorCode.DENIED,
        failure(client(fake, "").fetchManifest(REDIS, TAG_7)).code());
  }

  @Test
  void unknownRepository_behindTokenAuthDenied() {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));

    OciException error = failure(
        client(fake, "").fetchManifest(RepositoryName.parse("library/nope"), TAG_7));

    assertEquals(ErrorCode.DENIED, error.code());
    assertEquals("pull manifest library/nope:7 from upstream docker-hub"
            + ": upstream refused access to library/nope: it does not exist or needs credentials"
            + " (401)",
        error.detail().orElseThrow());
  }

  // ---- redirects ----

  @Test
  void fetchBlob_redirectedToCdnWithoutAuthorization() throws Exception {
    fake = FakeRegistry.start(
        FakeRegistry.Options.defaults().tokenAuth(true).redirectBlobs(true));
    byte[] bytes = randomBytes(300_000, 3);
    String digest = fake.putBlob("library/redis", bytes);

    UpstreamBlob blob = await(client(fake, "").fetchBlob(REDIS, Digest.parse(digest)));
    Consumed consumed = consume(blob);

    assertEquals(bytes.length, blob.size());
    assertEquals(digest, consumed.digest());
    RecordedRequest cdn = only(fake, "^/cdn/");
    assertFalse(cdn.hasAuthorization());
    assertTrue(fake.requests().stream()
        .filter(r -> r.path().startsWith("/v2/library/redis/blobs/"))
        .anyMatch(RecordedRequest::hasAuthorization));
  }

  @Test
  void redirects_beyondMaxRedirectsFail() {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().redirectBlobs(true));
    String digest = fake.putBlob("library/redis", new byte[] {1});

    OciException error = failure(client(fake, "layercake.upstream-client.max-redirects = 0\n")
        .fetchBlob(REDIS, Digest.parse(digest)));

    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertTrue(error.getMessage().contains("max-redirects"), error.getMessage());
    assertEquals(0, fake.count("GET", "^/cdn/"));
  }

  // ---- retries and errors ----

  @Test
  void fetchManifest_retriedAfter503() throws Exception {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.inject(Fault.status(503), "/manifests/", 1);

    await(client(fake, "").fetchManifest(REDIS, TAG_7));

    assertEquals(2, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void fetchManifest_503UntilMaxAttemptsUnavailable() {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.inject(Fault.status(503), "/manifests/", FakeRegistry.FOREVER);

    OciException error = failure(client(fake, "").fetchManifest(REDIS, TAG_7));

    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertTrue(error.detail().orElseThrow().startsWith("pull manifest library/redis:7 from "
        + "upstream docker-hub: upstream answered 503"), error.getMessage());
    assertTrue(error.getMessage().contains("gave up after 3 attempts"), error.getMessage());
    assertEquals(3, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void fetchManifest_500NotRetried() {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.inject(Fault.status(500), "/manifests/", 1);

    assertEquals(ErrorCode.UNAVAILABLE, failure(client(fake, "").fetchManifest(REDIS, TAG_7)).code());
    assertEquals(1, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void fetchManifest_responseTimeoutRetried() throws Exception {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.inject(Fault.latency(Duration.ofSeconds(3)), "/manifests/", 1);

    await(client(fake, "layercake.upstream-client.response-timeout = 500ms\n")
        .fetchManifest(REDIS, TAG_7));

    assertEquals(2, fake.count("GET", "/manifests/7$"));
  }

  @Test
  void connectionRefused_unavailable() {
    fake = FakeRegistry.start();
    UpstreamRegistry client = client(fake, "layercake.upstream-client.max-attempts = 2\n");
    fake.close();

    OciException error = failure(client.fetchManifest(REDIS, TAG_7));

    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertTrue(error.getMessage().contains("cannot reach the registry"), error.getMessage());
    assertFalse(error.getMessage().contains(fake.url()), "a client must not learn the upstream's URL: "
        + error.getMessage());
    fake = null;
  }

  @Test
  void tooManyRequests_passedOnWithRetryAfter() {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", new byte[] {1});
    fake.inject(Fault.tooManyRequests(Duration.ofSeconds(7)), "/blobs/", 1);
    UpstreamRegistry client = client(fake, "");

    OciException error = failure(client.fetchBlob(REDIS, Digest.parse(digest)));

    assertEquals(ErrorCode.TOOMANYREQUESTS, error.code());
    assertEquals(Optional.of(Duration.ofSeconds(7)), error.retryAfter());
    assertEquals(1, fake.count("GET", "/blobs/"));
    assertEquals(0, client.rateLimit().remaining().orElseThrow());
  }

  @Test
  void notFound_upstreamCodesPassedOn() {
    fake = FakeRegistry.start();
    fake.putBlob("library/redis", new byte[] {1});
    UpstreamRegistry client = client(fake, "");
    Digest missing = Digest.parse("sha256:" + "0".repeat(64));

    assertEquals(ErrorCode.NAME_UNKNOWN,
        failure(client.fetchManifest(RepositoryName.parse("library/nope"), TAG_7)).code());
    assertEquals(ErrorCode.MANIFEST_UNKNOWN, failure(client.fetchManifest(REDIS, TAG_7)).code());
    assertEquals(ErrorCode.MANIFEST_UNKNOWN, failure(client.headManifest(REDIS, TAG_7)).code());
    assertEquals(ErrorCode.BLOB_UNKNOWN, failure(client.fetchBlob(REDIS, missing)).code());
    assertEquals(ErrorCode.NAME_UNKNOWN, failure(client.listTags(
        RepositoryName.parse("library/nope"), OptionalInt.empty(), Optional.empty())).code());
  }

  @Test
  void notFound_withoutErrorJsonUsesEndpointCode() {
    fake = FakeRegistry.start();
    String blob = fake.putBlob("library/redis", new byte[] {1});
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.inject(Fault.status(404), "/manifests/", 1);
    fake.inject(Fault.status(404), "/blobs/", 1);
    UpstreamRegistry client = client(fake, "");

    OciException manifest = failure(client.fetchManifest(REDIS, TAG_7));
    OciException blobError = failure(client.fetchBlob(REDIS, Digest.parse(blob)));

    assertEquals(ErrorCode.MANIFEST_UNKNOWN, manifest.code());
    assertEquals("pull manifest library/redis:7 from upstream docker-hub: upstream answered 404",
        manifest.detail().orElseThrow());
    assertEquals(ErrorCode.BLOB_UNKNOWN, blobError.code());
  }

  // ---- manifests ----

  @Test
  void fetchManifest_wrongBytesRejected() {
    fake = FakeRegistry.start();
    String digest = fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    fake.inject(Fault.wrongBytes(), "/manifests/", 2);
    UpstreamRegistry client = client(fake, "");

    OciException byTag = failure(client.fetchManifest(REDIS, TAG_7));
    OciException byDigest = failure(client.fetchManifest(REDIS, Reference.parse(digest)));

    assertEquals(ErrorCode.MANIFEST_INVALID, byTag.code());
    assertTrue(byTag.getMessage().contains("Docker-Content-Digest was " + digest),
        byTag.getMessage());
    assertEquals(ErrorCode.MANIFEST_INVALID, byDigest.code());
    assertTrue(byDigest.getMessage().contains("the request digest was " + digest),
        byDigest.getMessage());
  }

  @Test
  void fetchManifest_overSizeCapRejected() {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, new byte[5000]);

    OciException error = failure(client(fake, "layercake.upstream-client.max-manifest-size = 4KiB\n")
        .fetchManifest(REDIS, TAG_7));

    assertEquals(ErrorCode.MANIFEST_INVALID, error.code());
    assertTrue(error.getMessage().contains("max-manifest-size"), error.getMessage());
  }

  @Test
  void headManifest_reportsDigestTypeAndSizeWithoutPull() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);

    UpstreamManifestHead head = await(client(fake, "").headManifest(REDIS, TAG_7));

    assertEquals(new UpstreamManifestHead(Digest.parse(digest), MediaType.OCI_INDEX,
        MANIFEST.length), head);
    assertEquals(0, fake.count("GET", "/manifests/"));
  }

  @Test
  void rateLimit_recordedFromManifestResponses() throws Exception {
    fake = FakeRegistry.start();
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    UpstreamRegistry client = client(fake, "");
    assertEquals(RateLimitStatus.UNKNOWN, client.rateLimit());

    await(client.fetchManifest(REDIS, TAG_7));
    await(client.fetchManifest(REDIS, TAG_7));

    RateLimitStatus status = client.rateLimit();
    assertEquals(100, status.limit().orElseThrow());
    assertEquals(98, status.remaining().orElseThrow());
    assertEquals(Optional.of(Duration.ofSeconds(21600)), status.window());
    assertEquals(Optional.of("127.0.0.1"), status.source());
    assertTrue(status.observedAt().isPresent());
    assertFalse(status.isUnlimited());
  }

  @Test
  void rateLimit_absentFromAManifestAnswer_isUnlimited() throws Exception {
    fake = FakeRegistry.start(FakeRegistry.Options.defaults().rateLimit(0));
    fake.putManifest("library/redis", "7", MediaType.OCI_INDEX, MANIFEST);
    UpstreamRegistry client = client(fake, "");

    await(client.headManifest(REDIS, TAG_7));

    assertTrue(client.rateLimit().isUnlimited());
    assertTrue(client.rateLimit().limit().isEmpty());
  }

  @Test
  void listTags_passesJsonAndLink() throws Exception {
    fake = FakeRegistry.start();
    for (String tag : new String[] {"a", "b", "c"}) {
      fake.putManifest("library/redis", tag, MediaType.OCI_INDEX, MANIFEST);
    }
    UpstreamRegistry client = client(fake, "");

    UpstreamTagList page = await(client.listTags(REDIS, OptionalInt.of(2), Optional.empty()));
    UpstreamTagList rest = await(client.listTags(REDIS, OptionalInt.of(2), Optional.of("b")));

    assertEquals("{\"name\":\"library/redis\",\"tags\":[\"a\",\"b\"]}",
        new String(page.json(), StandardCharsets.UTF_8));
    assertTrue(page.link().orElseThrow().contains("last=b"), page.link().orElseThrow());
    assertEquals("{\"name\":\"library/redis\",\"tags\":[\"c\"]}",
        new String(rest.json(), StandardCharsets.UTF_8));
    assertTrue(rest.link().isEmpty());
  }

  // ---- blob bodies ----

  @Test
  void blobBody_failsOnResetMidBody() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", randomBytes(500_000, 1));
    fake.inject(Fault.resetMidBody(100_000), "/blobs/", 1);

    UpstreamBlob blob = await(client(fake, "").fetchBlob(REDIS, Digest.parse(digest)));
    OciException error = failure(runBody(blob));

    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertTrue(error.getMessage().startsWith("service unavailable: pull blob " + digest
        + " of library/redis from upstream docker-hub"), error.getMessage());
  }

  @Test
  void blobBody_failsOnStallLongerThanIdleTimeout() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", randomBytes(500_000, 2));
    fake.inject(Fault.stall(100_000, Duration.ofSeconds(20)), "/blobs/", 1);

    UpstreamBlob blob = await(client(fake, "layercake.upstream-client.idle-timeout = 500ms\n")
        .fetchBlob(REDIS, Digest.parse(digest)));
    long started = System.nanoTime();
    OciException error = failure(runBody(blob));

    assertEquals(ErrorCode.UNAVAILABLE, error.code());
    assertTrue(error.getMessage().contains("idle-timeout"), error.getMessage());
    assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(10)) < 0);
  }

  @Test
  void blobBody_failsOnWrongBytes() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", randomBytes(100_000, 4));
    fake.inject(Fault.wrongBytes(), "/blobs/", 1);

    UpstreamBlob blob = await(client(fake, "").fetchBlob(REDIS, Digest.parse(digest)));
    OciException error = failure(runBody(blob));

    assertEquals(ErrorCode.DIGEST_INVALID, error.code());
    assertTrue(error.getMessage().contains("but the request digest was " + digest),
        error.getMessage());
  }

  @Test
  void blobBody_runsOnlyOnce() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", new byte[] {1, 2});

    UpstreamBlob blob = await(client(fake, "").fetchBlob(REDIS, Digest.parse(digest)));
    consume(blob);

    ExecutionException second = assertThrows(ExecutionException.class,
        () -> runBody(blob).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(IllegalStateException.class, second.getCause());
  }

  @Test
  void blobDiscard_releasesTheConnection() throws Exception {
    fake = FakeRegistry.start();
    String digest = fake.putBlob("library/redis", randomBytes(4 << 20, 5));
    UpstreamRegistry client = client(fake, "layercake.upstream-client.max-connections = 1\n");

    for (int i = 0; i < 3; i++) {
      await(client.fetchBlob(REDIS, Digest.parse(digest))).discard();
    }
    Consumed last = consume(await(client.fetchBlob(REDIS, Digest.parse(digest))));

    assertEquals(digest, last.digest());
    assertEquals(4, fake.count("GET", "/blobs/"));
  }

  @Test
  void largeBlob_streamsWithBackpressureAndVerifies(@TempDir Path dir) throws Exception {
    long size = 200L << 20;
    Path file = dir.resolve("large");
    String digest = writeRandomFile(file, size);
    fake = FakeRegistry.start();
    fake.putBlobFile("library/large", digest, file);

    UpstreamBlob blob = await(client(fake, "")
        .fetchBlob(RepositoryName.parse("library/large"), Digest.parse(digest)));
    SinkQueueWithCancel<ByteString> queue =
        blob.body().runWith(Sink.queue(), testKit.system());
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    long received = 0;
    while (received < (16L << 20)) {
      received += take(queue, sha256);
    }
    // The reader pauses: a client that buffered would keep receiving the whole blob now. With
    // backpressure the fake stays a bounded distance ahead (socket and stream buffers).
    long lead = watchLead(received, Duration.ofMillis(600));
    assertTrue(lead < (48L << 20), "upstream ran " + lead + " bytes ahead of a paused reader");
    Optional<ByteString> chunk;
    while ((chunk = queue.pull().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
        .isPresent()) {
      received += update(sha256, chunk.get());
    }

    assertEquals(size, blob.size());
    assertEquals(size, received);
    assertEquals(digest, Digest.ofSha256Bytes(sha256.digest()).toString());
  }

  // ---- helpers ----

  private UpstreamRegistry client(FakeRegistry upstream, String overrides) {
    return UpstreamRegistry.create(testKit.system(), settings(upstream, overrides));
  }

  private static UpstreamSettings settings(FakeRegistry upstream, String overrides) {
    String config = "layercake.upstreams.docker-hub.url = \"" + upstream.url() + "\"\n"
        + "layercake.upstream-client.min-backoff = 20ms\n"
        + "layercake.upstream-client.max-backoff = 80ms\n"
        + overrides;
    return UpstreamSettings.fromConfig(
        ConfigFactory.parseString(config).withFallback(ConfigFactory.defaultReference()).resolve(),
        "docker-hub");
  }

  private static String credentials(String user, String password) {
    return "layercake.upstreams.docker-hub.credentials { username = \"" + user
        + "\", password = \"" + password + "\" }\n";
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static OciException failure(CompletionStage<?> stage) {
    ExecutionException error = assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    return assertInstanceOf(OciException.class, error.getCause());
  }

  private static RecordedRequest only(FakeRegistry registry, String pathRegex) {
    assertEquals(1, registry.count("GET", pathRegex), registry.requests().toString());
    Pattern pattern = Pattern.compile(pathRegex);
    return registry.requests().stream()
        .filter(r -> r.method().equals("GET") && pattern.matcher(r.path()).find())
        .findFirst().orElseThrow();
  }

  /** What a body delivered: its length and digest. */
  private record Consumed(long size, String digest) {}

  private static CompletionStage<Consumed> runBody(UpstreamBlob blob) {
    MessageDigest sha256 = newSha256();
    return blob.body()
        .runFold(0L, (total, chunk) -> total + update(sha256, chunk), testKit.system())
        .thenApply(total -> new Consumed(total, Digest.ofSha256Bytes(sha256.digest()).toString()));
  }

  private static Consumed consume(UpstreamBlob blob) throws Exception {
    return await(runBody(blob));
  }

  private static long take(SinkQueueWithCancel<ByteString> queue, MessageDigest sha256)
      throws Exception {
    return update(sha256, queue.pull().toCompletableFuture()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).orElseThrow());
  }

  private static long update(MessageDigest sha256, ByteString chunk) {
    for (ByteBuffer buffer : chunk.getByteBuffers()) {
      sha256.update(buffer);
    }
    return chunk.size();
  }

  /** The most the fake got ahead of {@code received} while the reader paused for {@code span}. */
  private long watchLead(long received, Duration span) {
    long lead = 0;
    long end = System.nanoTime() + span.toNanos();
    while (System.nanoTime() < end) {
      lead = Math.max(lead, fake.bodyBytesSent() - received);
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
    return lead;
  }

  private static String writeRandomFile(Path file, long size) throws IOException {
    MessageDigest sha256 = newSha256();
    byte[] block = randomBytes(1 << 20, 42);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        // Vary each block so that no two megabytes are equal.
        block[0] = (byte) (written >> 20);
        block[1] = (byte) (written >> 28);
        out.write(block);
        sha256.update(block);
      }
    }
    return Digest.ofSha256Bytes(sha256.digest()).toString();
  }

  private static byte[] randomBytes(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
