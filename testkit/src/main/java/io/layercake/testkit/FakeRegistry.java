package io.layercake.testkit;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * An in-JVM stand-in for Docker Hub: an OCI registry on 127.0.0.1 with Docker-Hub-style token
 * auth, an optional CDN that blob downloads redirect to, request recording and fault injection.
 *
 * <p>It runs on the JDK's {@code com.sun.net.httpserver}, not Akka HTTP, so that a bug in the
 * system under test cannot hide itself in the fixture. Each request runs on its own pooled thread:
 * a stalled or throttled response never holds up the others. Content goes in through {@link
 * #putBlob}, {@link #putBlobFile} and {@link #putManifest}; large blobs are streamed from their
 * file through a fixed buffer and never loaded.
 *
 * <p>Endpoints: {@code GET /v2/}, {@code GET|HEAD /v2/<name>/manifests/<ref>}, {@code GET|HEAD
 * /v2/<name>/blobs/<digest>} (one {@code Range} honoured), {@code GET /v2/<name>/tags/list}
 * ({@code n}, {@code last}, {@code Link}), {@code GET /v2/<name>/referrers/<digest>} when
 * {@link Options#referrers} turns it on, {@code GET /token}; unknowns answer OCI error JSON.
 */
public final class FakeRegistry implements AutoCloseable {

  /** {@link #inject} times value for a fault that never runs out. */
  public static final int FOREVER = FaultPlan.FOREVER;

  /**
   * How a fake behaves; start from {@link #defaults()} and chain the changes.
   *
   * @param tokenAuth whether {@code /v2/} needs a bearer token from the realm
   * @param basicAuth whether {@code /v2/} needs Basic credentials instead (no token service)
   * @param username the user {@code /token} (or Basic auth) requires; null for anonymous
   * @param password that user's password
   * @param redirectBlobs whether blob GETs answer 307 to a second port acting as the CDN
   * @param externalRealm another fake whose {@code /token} this one names and trusts, or null
   * @param tokenLifetime the {@code expires_in} of issued tokens
   * @param rateLimit the pull limit reported in {@code ratelimit-*} headers, and maybe enforced
   * @param referrersPage how many descriptors one page of the referrers API holds; 0 when the
   *     fake has no referrers API and answers it 404, as Docker Hub and GHCR do
   */
  public record Options(
      boolean tokenAuth,
      boolean basicAuth,
      String username,
      String password,
      boolean redirectBlobs,
      FakeRegistry externalRealm,
      Duration tokenLifetime,
      PullLimit rateLimit,
      int referrersPage) {

    /** Anonymous, no redirects, 300 s tokens, a limit of 100 pulls and no referrers API, like Docker Hub. */
    public static Options defaults() {
      return new Options(false, false, null, null, false, null, Duration.ofMinutes(5),
          new PullLimit(100, PullLimit.DOCKER_HUB_WINDOW, false), 0);
    }

    /** Requires Docker Hub's bearer-token flow. */
    public Options tokenAuth(boolean on) {
      return new Options(on, basicAuth, username, password, redirectBlobs, externalRealm,
          tokenLifetime, rateLimit, referrersPage);
    }

    /** Requires Basic credentials on {@code /v2/} itself (set them with {@link #credentials}). */
    public Options basicAuth(boolean on) {
      return new Options(tokenAuth, on, username, password, redirectBlobs, externalRealm,
          tokenLifetime, rateLimit, referrersPage);
    }

    /** Makes {@code /token} (or Basic auth) require these credentials. */
    public Options credentials(String user, String secret) {
      return new Options(tokenAuth, basicAuth, Objects.requireNonNull(user),
          Objects.requireNonNull(secret), redirectBlobs, externalRealm, tokenLifetime, rateLimit,
          referrersPage);
    }

    /** Makes blob GETs answer 307 to the CDN port, which rejects Authorization headers. */
    public Options redirectBlobs(boolean on) {
      return new Options(tokenAuth, basicAuth, username, password, on, externalRealm,
          tokenLifetime, rateLimit, referrersPage);
    }

    /** Names {@code tokenServer}'s {@code /token} in challenges and accepts its tokens. */
    public Options externalRealm(FakeRegistry tokenServer) {
      return new Options(tokenAuth, basicAuth, username, password, redirectBlobs, tokenServer,
          tokenLifetime, rateLimit, referrersPage);
    }

    /** Sets the lifetime of issued tokens. */
    public Options tokenLifetime(Duration lifetime) {
      return new Options(tokenAuth, basicAuth, username, password, redirectBlobs, externalRealm,
          lifetime, rateLimit, referrersPage);
    }

    /**
     * Sets the {@code ratelimit-limit} reported on manifest GETs and HEADs, never enforced; 0
     * reports none, as a registry without a limit does.
     */
    public Options rateLimit(int limit) {
      return new Options(tokenAuth, basicAuth, username, password, redirectBlobs, externalRealm,
          tokenLifetime, new PullLimit(limit, PullLimit.DOCKER_HUB_WINDOW, false), referrersPage);
    }

    /**
     * Enforces a pull limit as Docker Hub does: {@code limit} manifest GETs per sliding {@code
     * window}, then 429 {@code TOOMANYREQUESTS} until the oldest leaves it. HEADs are free.
     */
    public Options pullLimit(int limit, Duration window) {
      return new Options(tokenAuth, basicAuth, username, password, redirectBlobs, externalRealm,
          tokenLifetime, new PullLimit(limit, window, true), referrersPage);
    }

    /**
     * Serves the referrers API, {@code page} descriptors a page (the rest behind a {@code Link}),
     * filtering by {@code artifactType} as the spec lets a registry do; 0 turns it off.
     */
    public Options referrers(int page) {
      return new Options(tokenAuth, basicAuth, username, password, redirectBlobs, externalRealm,
          tokenLifetime, rateLimit, page);
    }
  }

  /**
   * A pull limit.
   *
   * @param limit manifest GETs per window
   * @param window the sliding window
   * @param enforced whether a GET past the limit gets 429, or the limit is only reported
   */
  public record PullLimit(int limit, Duration window, boolean enforced) {
    /** Docker Hub's window: six hours. */
    public static final Duration DOCKER_HUB_WINDOW = Duration.ofHours(6);
  }

  private final Options options;
  private final FakeRegistryContent content = new FakeRegistryContent();
  private final FakeTokenService tokens;
  private final FaultPlan faults = new FaultPlan();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private final FakePullLimit pullLimit;
  private final AtomicLong bodyBytesSent = new AtomicLong();
  private final FakeBodyWriter bodyWriter = new FakeBodyWriter(bodyBytesSent);
  private final ExecutorService executor;
  private final HttpServer server;
  private final HttpServer cdnServer;

  private FakeRegistry(Options options) throws IOException {
    this.options = options;
    this.pullLimit = new FakePullLimit(options.rateLimit().limit(), options.rateLimit().window(),
        options.rateLimit().enforced());
    this.tokens = new FakeTokenService(options.tokenLifetime());
    this.executor = Executors.newCachedThreadPool(daemonThreads());
    this.server = listen(false);
    this.cdnServer = options.redirectBlobs() ? listen(true) : null;
  }

  /** Starts an anonymous fake on a free port. */
  public static FakeRegistry start() {
    return start(Options.defaults());
  }

  /** Starts a fake with {@code options} on a free port. */
  public static FakeRegistry start(Options options) {
    try {
      return new FakeRegistry(options);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fake registry", e);
    }
  }

  /** The registry's base URL, {@code http://127.0.0.1:<port>}, without a trailing slash. */
  public String url() {
    return baseUrl(server);
  }

  /** The CDN's base URL in redirect mode. */
  public String cdnUrl() {
    if (cdnServer == null) {
      throw new IllegalStateException("this fake was started without redirectBlobs");
    }
    return baseUrl(cdnServer);
  }

  /** The token realm that challenges name: this fake's {@code /token}, or the external one's. */
  public String realm() {
    return (options.externalRealm() == null ? url() : options.externalRealm().url()) + "/token";
  }

  /** Adds a blob to {@code repo} and returns its digest. */
  public String putBlob(String repo, byte[] bytes) {
    return content.putBlob(repo, bytes);
  }

  /**
   * Adds a blob whose bytes stay in {@code file} and are streamed on each request. The digest is
   * trusted, not recomputed: hashing a gigabyte per test is the cost this method exists to avoid.
   */
  public void putBlobFile(String repo, String digest, Path file) {
    try {
      content.putBlobFile(repo, digest, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the size of " + file, e);
    }
  }

  /**
   * Adds a manifest, addressable by its digest, and points {@code tagOrNull} at it when given
   * (moving the tag if it pointed elsewhere). Returns the digest.
   */
  public String putManifest(String repo, String tagOrNull, String mediaType, byte[] bytes) {
    return content.putManifest(repo, tagOrNull, mediaType, bytes);
  }

  /** Removes a tag; its manifest stays addressable by digest. */
  public void removeTag(String repo, String tag) {
    content.removeTag(repo, tag);
  }

  /** Unlinks a blob from {@code repo}, as if upstream garbage-collected it. */
  public void removeBlob(String repo, String digest) {
    content.removeBlob(repo, digest);
  }

  /** Invalidates every token this fake issued, so that clients holding one get a 401 again. */
  public void revokeTokens() {
    tokens.revokeAll();
  }

  /**
   * Arms {@code fault} for the next {@code times} requests whose path contains a match of {@code
   * pathRegex} (found, not matched whole; {@link #FOREVER} never runs out). See {@link Fault} for
   * which request takes it.
   */
  public void inject(Fault fault, String pathRegex, int times) {
    faults.add(fault, pathRegex, times);
  }

  /** Disarms every fault. */
  public void clearFaults() {
    faults.clear();
  }

  /** How many recorded requests had {@code method} and a path in which {@code pathRegex} finds. */
  public int count(String method, String pathRegex) {
    Pattern pattern = Pattern.compile(pathRegex);
    return (int) requests.stream()
        .filter(r -> r.method().equals(method) && pattern.matcher(r.path()).find())
        .count();
  }

  /** Every request received since the start or the last {@link #resetCounts()}, in order. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Forgets the recorded requests and the body byte count. */
  public void resetCounts() {
    requests.clear();
    bodyBytesSent.set(0);
  }

  /** Body bytes written to sockets so far, on the registry and CDN ports together. */
  public long bodyBytesSent() {
    return bodyBytesSent.get();
  }

  /** Stops both ports at once, cutting any response in flight. */
  @Override
  public void close() {
    server.stop(0);
    if (cdnServer != null) {
      cdnServer.stop(0);
    }
    executor.shutdownNow();
  }

  /** The sha256 digest of {@code bytes} in registry form. */
  static String sha256(byte[] bytes) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  Options options() {
    return options;
  }

  FakeRegistryContent content() {
    return content;
  }

  FakeTokenService tokenService() {
    return tokens;
  }

  FakeTokenService realmTokenService() {
    return options.externalRealm() == null ? tokens : options.externalRealm().tokenService();
  }

  FaultPlan faults() {
    return faults;
  }

  FakeBodyWriter bodyWriter() {
    return bodyWriter;
  }

  void record(RecordedRequest request) {
    requests.add(request);
  }

  /** How many manifest GETs the pull limit refused with 429 since the start: a mirror's failures to stay under it. */
  public int pullsRefused() {
    return pullLimit.refused();
  }

  FakePullLimit pullLimit() {
    return pullLimit;
  }

  private HttpServer listen(boolean cdn) throws IOException {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    http.createContext("/", new FakeRegistryHandler(this, cdn));
    http.setExecutor(executor);
    http.start();
    return http;
  }

  private static String baseUrl(HttpServer http) {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger next = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "fake-registry-" + next.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
