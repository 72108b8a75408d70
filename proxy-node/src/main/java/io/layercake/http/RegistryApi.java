package io.layercake.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.scaladsl.model.IllegalUriException;
import akka.japi.function.Function;
import akka.pattern.AskTimeoutException;
import io.layercake.Failures;
import io.layercake.ThrottledLog;
import io.layercake.UpstreamName;
import io.layercake.admin.AdminApi;
import io.layercake.auth.Identity;
import io.layercake.auth.PullAuthenticator;
import io.layercake.blob.BlobFills;
import io.layercake.blob.BlobSettings;
import io.layercake.cluster.ClusterSettings;
import io.layercake.cluster.ClusterStatus;
import io.layercake.manifest.ManifestSettings;
import io.layercake.manifest.Manifests;
import io.layercake.metrics.Endpoint;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.BlobStore;
import io.layercake.storage.TagIndex;
import io.layercake.upstream.Upstreams;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry API's front door: routes a request to its endpoint after validating every part of
 * it, and turns every failure into OCI error JSON. Bad input is a 4xx naming what was wrong; a
 * timeout or an unreachable upstream is 503; only a bug is a 500, and it is logged.
 */
public final class RegistryApi implements Function<HttpRequest, CompletionStage<HttpResponse>> {

  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(RegistryApi.class);
  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);
  private static final Duration STORAGE_RETRY_AFTER = Duration.ofSeconds(5);
  /** The response header that echoes a {@code ?ns=} the mirror honoured. */
  static final String NAMESPACE_HEADER = "OCI-Namespace";
  /** One storage failure a minute is enough to tell an operator; a full disk fails every request. */
  private static final ThrottledLog STORAGE_FAILURES = new ThrottledLog(Duration.ofMinutes(1));

  private final transient ActorSystem<?> system;
  private final transient Upstreams upstreams;
  private final transient BlobEndpoint blobs;
  private final transient ManifestEndpoint manifests;
  private final transient ListingEndpoint listings;
  private final transient ReferrersEndpoint referrers;
  private final transient InternalEndpoint internal;
  private final transient AdminApi admin;
  private final transient RequestMetrics requestMetrics;
  private final transient MetricsEndpoint metrics;
  private final transient StatusPage statusPage;
  private final transient NodeHealth health;
  private final transient PullAccess access;
  private final transient RepositoryLinks links;
  private final boolean internalOnThisPort;

  /** The API over this node's services; {@code blocking} runs their file and database work. */
  public RegistryApi(ActorSystem<?> system, Upstreams upstreams, BlobFills fills, BlobStore store, Executor blocking,
      BlobSettings blobSettings,
      Manifests manifests, ManifestSettings manifestSettings, TagIndex tagIndex, ClusterSettings cluster,
      ClusterStatus clusterStatus, AdminApi admin, InFlightStreams inFlight, NodeHealth health, PullAuthenticator authenticator) {
    this.system = system;
    this.upstreams = upstreams;
    this.health = health;
    this.access = new PullAccess(authenticator, upstreams);
    this.links = new RepositoryLinks(upstreams);
    // With cluster TLS, nodes talk on their own mutually authenticated listener (internalApi())
    // and the registry port, which clients reach, does not serve /internal/ at all.
    this.internalOnThisPort = !cluster.internalTls();
    this.blobs = new BlobEndpoint(system, fills, blobSettings, cluster, inFlight, health);
    this.manifests = new ManifestEndpoint(system, manifests, manifestSettings, tagIndex, health);
    this.listings = new ListingEndpoint(upstreams, tagIndex, blocking);
    this.referrers = new ReferrersEndpoint(upstreams, manifestSettings.signatureTagTtl());
    this.internal = new InternalEndpoint(cluster, blobs, manifests, store, tagIndex, blocking, admin, upstreams);
    this.admin = admin;
    NodeMetrics nodeMetrics = NodeMetrics.get(system);
    this.requestMetrics = new RequestMetrics(nodeMetrics);
    this.metrics = new MetricsEndpoint(nodeMetrics, blocking);
    this.statusPage = new StatusPage(clusterStatus, nodeMetrics, tagIndex, upstreams, blocking);
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) {
    return handle(request, this::route);
  }

  /**
   * The handler of the node-to-node TLS listener: {@code /internal/} only, with the same error
   * mapping and metrics as the registry port.
   */
  public Function<HttpRequest, CompletionStage<HttpResponse>> internalApi() {
    return request -> handle(request, this::routeInternal);
  }

  /**
   * Routes with {@code router}, which gets the request and its path. Akka renders the path anew
   * (percent-encoding it) on every {@code getUri().path()}: about a tenth of a manifest request's
   * time went there when each check asked again, so it is rendered once here.
   */
  private CompletionStage<HttpResponse> handle(HttpRequest request,
      BiFunction<HttpRequest, String, CompletionStage<HttpResponse>> router) {
    long started = System.nanoTime();
    String path = request.getUri().path();
    CompletionStage<HttpResponse> response;
    try {
      response = router.apply(request, path);
    } catch (RuntimeException e) {
      response = CompletableFuture.failedFuture(e);
    }
    Endpoint endpoint = RequestMetrics.classify(path);
    boolean head = request.method().equals(HttpMethods.HEAD);
    return response.exceptionally(error -> errorResponse(request, error))
        .thenApply(answer -> requestMetrics.record(endpoint, head, started, answer));
  }

  private CompletionStage<HttpResponse> routeInternal(HttpRequest request, String requestPath) {
    request.discardEntityBytes(system);
    boolean head = request.method().equals(HttpMethods.HEAD);
    if (requestPath.startsWith("/internal/") && (head || request.method().equals(HttpMethods.GET))) {
      return internal.serve(request, head);
    }
    throw new OciException(ErrorCode.NAME_UNKNOWN, "no such endpoint", "this listener serves /internal/ only");
  }

  private CompletionStage<HttpResponse> route(HttpRequest request, String requestPath) {
    if (requestPath.startsWith("/admin/")) {
      // The admin API streams the bodies it takes (an image archive) and drains the others.
      return admin.serve(request);
    }
    // Requests carry no body here; drain any so the connection stays usable.
    request.discardEntityBytes(system);
    boolean head = request.method().equals(HttpMethods.HEAD);
    boolean readMethod = head || request.method().equals(HttpMethods.GET);
    if (readMethod && RequestTarget.isExactly(request, requestPath, "/livez")) {
      return CompletableFuture.completedFuture(health.live());
    }
    if (readMethod && RequestTarget.isExactly(request, requestPath, "/readyz")) {
      return CompletableFuture.completedFuture(health.readiness());
    }
    if (internalOnThisPort && requestPath.startsWith("/internal/") && readMethod) {
      return internal.serve(request, head);
    }
    if (readMethod && RequestTarget.isExactly(request, requestPath, "/metrics")) {
      return metrics.serve(request);
    }
    if (readMethod && (RequestTarget.isExactly(request, requestPath, "/") || RequestTarget.isExactly(request, requestPath, "/index.html"))) {
      // It names the images pulled most: with pull authentication on, only users see it.
      return access.authenticate(request).thenCompose(identity -> statusPage.serve(upstream -> access.readable(identity, upstream)));
    }
    RegistryPath path = RegistryPath.parse(requestPath)
        .orElseThrow(() -> new OciException(ErrorCode.NAME_UNKNOWN, "no such endpoint",
            "this registry mirror serves the read API under /v2/"));
    if (path.endpoint() == RegistryPath.Endpoint.UPLOAD || !readMethod) {
      throw new OciException(ErrorCode.UNSUPPORTED, "this registry is a read-only mirror",
          request.method().value() + " is not supported here");
    }
    return access.authenticate(request).thenCompose(identity -> routeRegistry(request, head, path, identity));
  }

  private CompletionStage<HttpResponse> routeRegistry(HttpRequest request, boolean head, RegistryPath path,
      Identity identity) {
    switch (path.endpoint()) {
      case BASE:
        return health.whenCluster().thenApply(ready -> Responses.json(EMPTY_OBJECT, List.of()));
      case CATALOG:
        UpstreamName listed = upstreams.select(namespace(request));
        return listings.catalog(request, listed, access.readable(identity, listed));
      default:
        break;
    }
    Optional<String> namespace = namespace(request);
    Upstreams.Route route = upstreams.route(path.name(), namespace);
    UpstreamName upstream = route.upstream();
    RepositoryName repository = upstreams.mirroredName(upstream, RepositoryName.parse(route.name()));
    access.requireRead(identity, upstream, repository);
    CompletionStage<HttpResponse> answer = routeArtifact(request, head, path, identity, upstream, repository);
    if (namespace.isEmpty() || namespace.get().isEmpty()) {
      return answer;
    }
    // The distribution spec's proxying section: a registry that honours ns= says so.
    HttpHeader honoured = RawHeader.create(NAMESPACE_HEADER, namespace.get());
    return answer.thenApply(response -> response.addHeader(honoured));
  }

  private CompletionStage<HttpResponse> routeArtifact(HttpRequest request, boolean head, RegistryPath path,
      Identity identity, UpstreamName upstream, RepositoryName repository) {
    switch (path.endpoint()) {
      case TAGS:
        return listings.tags(request, upstream, repository);
      case REFERRERS:
        // Always upstream's list for this repository (or its brief copy): no other repository's
        // content is reachable through it, so a limited user needs no link check here.
        return referrers.serve(request, head, upstream, repository, Digest.parse(path.reference()));
      case MANIFEST:
        Reference reference = Reference.parse(path.reference());
        if (reference instanceof Reference.ByDigest byDigest && access.limited(identity)) {
          return links.require(upstream, repository, byDigest.value(), true)
              .thenCompose(linked -> manifests.serve(request, head, upstream, repository, reference));
        }
        return manifests.serve(request, head, upstream, repository, reference);
      case BLOB:
        Digest digest = Digest.parse(path.reference());
        if (access.limited(identity)) {
          return links.require(upstream, repository, digest, false)
              .thenCompose(linked -> blobs.serve(request, head, upstream, repository, digest));
        }
        return blobs.serve(request, head, upstream, repository, digest);
      default:
        throw new IllegalStateException("unrouted endpoint " + path.endpoint());
    }
  }

  private static Optional<String> namespace(HttpRequest request) {
    // Most requests have no query: no need to parse one.
    return request.getUri().rawQueryString().isEmpty() ? Optional.empty() : request.getUri().query().get("ns");
  }

  /** The OCI error answer to {@code error}, which failed {@code request}. */
  static HttpResponse errorResponse(HttpRequest request, Throwable error) {
    Throwable cause = Failures.unwrap(error);
    if (cause instanceof PullAccess.AuthenticationRequired required) {
      return Responses.error(required).addHeader(RawHeader.create("WWW-Authenticate", required.challenge()));
    }
    if (cause instanceof OciException oci) {
      return Responses.error(oci);
    }
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return Responses.error(new OciException(ErrorCode.UNAVAILABLE, "timed out, retry",
          "the cache did not answer in time"));
    }
    if (cause instanceof IllegalUriException) {
      // A query string that does not parse.
      return Responses.error(new OciException(ErrorCode.NAME_INVALID, "malformed request URI",
          cause.getMessage()));
    }
    if (cause instanceof UncheckedIOException || cause instanceof IOException) {
      // The node's own disk or database (a full disk, a failing device): the client can retry,
      // here or elsewhere; the detail stays in the log, which it names.
      STORAGE_FAILURES.warn(log, "Storage failure serving " + request.method().value() + " "
          + request.getUri().path() + ": " + cause.getMessage());
      return Responses.error(new OciException(ErrorCode.UNAVAILABLE, "the node's storage failed, retry", null,
          STORAGE_RETRY_AFTER));
    }
    log.error("Unexpected failure serving {} {}", request.method().value(), request.getUri().path(), cause);
    return Responses.error(new OciException(ErrorCode.UNKNOWN, "internal error", null));
  }
}
