package io.layercake.upstream;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.transport.HttpTransport;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The client for one upstream registry: the only way the mirror talks to it.
 *
 * <p>Every method returns a stage that fails only with {@link io.layercake.oci.OciException},
 * whose detail opens with the action and the upstream ("pull manifest library/redis:7 from
 * https://registry-1.docker.io: ..."). Authentication, redirects to a CDN and retries with
 * backoff happen inside (see {@link RegistryCaller}); the codes are listed on {@link
 * UpstreamErrors}. Thread-safe; create one per upstream and share it.
 */
public final class UpstreamRegistry {

  /** The most pages of one referrers list the mirror reads; lists are a few descriptors. */
  static final int MAX_REFERRER_PAGES = 16;

  private final UpstreamSettings settings;
  private final RegistryCaller caller;
  private final PullBudget budget;
  private final NodeMetrics metrics;
  private final Clock clock;

  /** A client for the upstream {@code settings} describe; {@code clock} ages its tokens. */
  UpstreamRegistry(ActorSystem<?> system, UpstreamSettings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.budget = new PullBudget(settings.client().budgetReserve(), settings.client().budgetBackoff());
    HttpTransport http = new HttpTransport(system, settings.client().connection());
    this.metrics = NodeMetrics.get(system);
    BearerTokenAuthenticator authenticator = new BearerTokenAuthenticator(settings, http, clock, metrics);
    this.caller = new RegistryCaller(system, settings, http, authenticator, this::observe, clock);
  }

  /** A client for the upstream {@code settings} describe, using {@code system}'s HTTP pools. */
  public static UpstreamRegistry create(ActorSystem<?> system, UpstreamSettings settings) {
    return new UpstreamRegistry(system, settings, Clock.systemUTC());
  }

  /**
   * Fetches a manifest by tag or digest, accepting every manifest type. The bytes are returned
   * only if their sha256 equals the digest asked for and upstream's {@code Docker-Content-Digest}
   * (else MANIFEST_INVALID), and they are capped at {@code max-manifest-size}.
   */
  public CompletionStage<ManifestContent> fetchManifest(RepositoryName repo, Reference ref) {
    return fetchManifest(repo, ref, PullKind.USER);
  }

  /**
   * The same, for {@code kind}: a GET counts against upstream's pull limit, so it is refused
   * with 429 here when the {@link PullBudget} does not allow it now (after upstream's own 429;
   * background work below the reserve), without asking upstream.
   */
  public CompletionStage<ManifestContent> fetchManifest(RepositoryName repo, Reference ref, PullKind kind) {
    return fetchManifest(repo, ref, kind, false);
  }

  private CompletionStage<ManifestContent> fetchManifest(RepositoryName repo, Reference ref, PullKind kind,
      boolean probed) {
    PullBudget.Admission admission;
    try {
      admission = budget.admit(kind, clock.instant(), probed);
    } catch (OciException refused) {
      return CompletableFuture.failedFuture(refused);
    }
    if (admission == PullBudget.Admission.PROBE_FIRST) {
      // The HEAD's answer reports what is left (observe); its own outcome does not matter.
      return headManifest(repo, ref, kind).handle((head, error) -> null)
          .thenCompose(reported -> fetchManifest(repo, ref, kind, true));
    }
    return caller.call(new ManifestPull(repo, ref)).whenComplete((manifest, error) -> {
      budget.settled();
      if (error == null) {
        budget.spent(kind, clock.instant());
        metrics.upstreamPulled(UpstreamName.of(settings.name()), kind);
      } else if (Failures.unwrap(error) instanceof OciException oci && oci.code() == ErrorCode.TOOMANYREQUESTS) {
        budget.refused(oci.retryAfter(), clock.instant());
      }
    });
  }

  /**
   * Asks where a tag (or digest) points, with a HEAD: no body, and no pull counted against
   * Docker Hub's rate limit.
   */
  public CompletionStage<UpstreamManifestHead> headManifest(RepositoryName repo, Reference ref) {
    return headManifest(repo, ref, PullKind.USER);
  }

  /** The same, counted as {@code kind} in the node's metrics. */
  public CompletionStage<UpstreamManifestHead> headManifest(RepositoryName repo, Reference ref, PullKind kind) {
    metrics.upstreamHeaded(UpstreamName.of(settings.name()), kind);
    return caller.call(new ManifestHead(repo, ref));
  }

  /**
   * Starts a blob download. The stage completes with the response headers; the body then streams
   * through {@link UpstreamBlob#body()}, which the caller must run or {@link
   * UpstreamBlob#discard()}. Fails when upstream sends no {@code Content-Length}.
   */
  public CompletionStage<UpstreamBlob> fetchBlob(RepositoryName repo, Digest digest) {
    return caller.call(new BlobPull(repo, digest));
  }

  /**
   * Asks, with a HEAD, whether upstream holds a blob in {@code repo}; completes with its size, or
   * fails with BLOB_UNKNOWN. No body, and no pull counted against Docker Hub's rate limit.
   */
  public CompletionStage<Long> headBlob(RepositoryName repo, Digest digest) {
    return caller.call(new BlobHead(repo, digest));
  }

  /** Fetches one page of tags ({@code n}, {@code last} as in the distribution spec), unparsed. */
  public CompletionStage<UpstreamTagList> listTags(RepositoryName repo, OptionalInt n,
      Optional<String> last) {
    return caller.call(new TagListPull(repo, n, last));
  }

  /**
   * Lists the manifests whose subject is {@code subject} (signatures, attestations, SBOMs) with
   * the referrers API, every page of it: a verifier trusts the list it gets, so part of one is
   * never returned. Fails with upstream's 404 when it has no referrers API (Docker Hub, GHCR),
   * and with UNAVAILABLE when a page is malformed, a next page is elsewhere, or the list runs
   * past {@value #MAX_REFERRER_PAGES} pages.
   */
  public CompletionStage<List<JsonNode>> listReferrers(RepositoryName repo, Digest subject,
      Optional<String> artifactType) {
    return referrersFrom(ReferrersPull.first(repo, subject, artifactType), new ArrayList<>(), 1);
  }

  private CompletionStage<List<JsonNode>> referrersFrom(ReferrersPull pull, List<JsonNode> found, int page) {
    return caller.call(pull).thenCompose(answer -> {
      found.addAll(answer.manifests());
      if (answer.link().isEmpty()) {
        return CompletableFuture.completedFuture(List.copyOf(found));
      }
      Optional<ReferrersPull> next = pull.next(answer.link().get(), settings.url());
      String failure = next.isEmpty() ? "its next page is not on the same list"
          : page >= MAX_REFERRER_PAGES ? "it runs past " + MAX_REFERRER_PAGES + " pages" : null;
      if (failure != null) {
        return CompletableFuture.failedFuture(new OciException(ErrorCode.UNAVAILABLE, ErrorCode.UNAVAILABLE.message(),
            pull.action() + " from upstream " + settings.name() + ": " + failure));
      }
      return referrersFrom(next.get(), found, page + 1);
    });
  }

  /** The pull quota upstream last reported, for metrics; {@link RateLimitStatus#UNKNOWN} before. */
  public RateLimitStatus rateLimit() {
    return budget.report();
  }

  /** What upstream's pull limit allows now, and what this node spent of it. */
  public PullBudget budget() {
    return budget;
  }

  /** This node's counted GETs over the limit's last window, by kind. */
  public Map<PullKind, Long> spent() {
    return budget.spent(clock.instant());
  }

  /** Until when this node answers 429 itself after upstream's 429, if it does now. */
  public Optional<Instant> backingOffUntil() {
    return budget.blockedUntil(clock.instant());
  }

  /** Where the pull budget stands now. */
  public PullBudget.State budgetState() {
    return budget.state(clock.instant());
  }

  /** Whether the pull limit is below the reserve kept for clients, or spent. */
  public boolean budgetLow() {
    return budgetState() != PullBudget.State.OK;
  }

  /** The settings this client was created with. */
  public UpstreamSettings settings() {
    return settings;
  }

  /**
   * Keeps the quota an answer reports. Docker Hub reports it on manifest GETs and HEADs (a GET
   * counts, a HEAD does not) and on its 429s; so a successful manifest answer without it means
   * this upstream does not limit pulls, and any other answer without it says nothing.
   */
  private void observe(UpstreamCall kind, HttpResponse response) {
    Optional<RateLimitStatus> reported = RateLimitStatus.fromHeaders(
        response.getHeader("ratelimit-limit").map(HttpHeader::value),
        response.getHeader("ratelimit-remaining").map(HttpHeader::value),
        response.getHeader("docker-ratelimit-source").map(HttpHeader::value),
        clock.instant());
    if (reported.isPresent()) {
      budget.reported(reported.get());
    } else if ((kind == UpstreamCall.MANIFEST || kind == UpstreamCall.MANIFEST_HEAD) && response.status().isSuccess()) {
      budget.reported(RateLimitStatus.unlimited(clock.instant()));
    }
  }
}
