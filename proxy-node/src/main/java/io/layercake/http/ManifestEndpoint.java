package io.layercake.http;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.UpstreamName;
import io.layercake.manifest.FreshTags;
import io.layercake.manifest.ManifestSettings;
import io.layercake.manifest.Manifests;
import io.layercake.manifest.TagEntity;
import io.layercake.manifest.TagResolver;
import io.layercake.metrics.CacheKind;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.TagIndex;
import io.layercake.upstream.PullKind;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * {@code GET} and {@code HEAD /v2/<name>/manifests/<reference>}. A tag goes through its
 * {@link TagEntity} (cache, revalidation, stale serving); a digest is immutable content. Either
 * way the bytes served are exactly the bytes upstream sent, with their media type, and Accept
 * negotiation picks what Docker Hub would have given this client. Upstream's recent "no such tag"
 * answers are remembered ({@link NegativeCache}): asking again costs neither an entity nor an
 * upstream call. (Manifests by digest have no entity, and the store answers them first.)
 */
final class ManifestEndpoint {

  private final ActorSystem<?> system;
  private final Manifests manifests;
  private final ManifestSettings settings;
  private final FreshTags freshTags;
  private final NodeMetrics metrics;
  private final TagIndex tagIndex;
  private final TagResolver tags;
  private final NodeHealth health;
  private final NegativeCache notFound;
  private final ManifestResponses responses = new ManifestResponses();

  ManifestEndpoint(ActorSystem<?> system, Manifests manifests, ManifestSettings settings, TagIndex tagIndex,
      NodeHealth health) {
    this.health = health;
    this.tagIndex = tagIndex;
    this.tags = new TagResolver(system, settings.askTimeout());
    this.system = system;
    this.manifests = manifests;
    this.settings = settings;
    this.freshTags = new FreshTags((upstream, tag) -> settings.ttlFor(upstream, tag).toMillis(), System::currentTimeMillis);
    this.metrics = NodeMetrics.get(system);
    this.notFound = new NegativeCache(settings.notFoundTtl(), settings.notFoundCacheSize(), System::nanoTime);
  }

  CompletionStage<HttpResponse> serve(HttpRequest request, boolean head, UpstreamName upstream,
      RepositoryName repository, Reference reference) {
    ManifestNegotiation.AcceptedTypes accepted = ManifestNegotiation.AcceptedTypes.parse(
        StreamSupport.stream(request.getHeaders().spliterator(), false)
            .filter(h -> h.is("accept"))
            .map(HttpHeader::value)
            .toList());
    if (reference instanceof Reference.ByDigest byDigest) {
      return manifests.byDigest(upstream, repository, byDigest.value())
          .thenApply(manifest -> responses.respond(head, manifest, null));
    }
    Reference.ByTag byTag = (Reference.ByTag) reference;
    Optional<ManifestContent> fresh = freshTags.get(upstream, repository.value(), byTag.tag().value());
    if (fresh.isPresent()) {
      return negotiate(accepted, upstream, repository, fresh.get(), byTag)
          .thenApply(served -> countTagPull(upstream, repository, byTag, true, responses.respond(head, served, null)));
    }
    String key = upstream + "/" + repository + ":" + byTag.tag();
    Optional<ErrorCode> known = notFound.get(key);
    if (known.isPresent()) {
      throw new OciException(known.get(), known.get().message(),
          repository + ":" + byTag.tag() + ": upstream did not have it when last asked");
    }
    return health.whenCluster().thenCompose(ready -> resolveTag(accepted, head, upstream, repository, byTag, key));
  }

  private CompletionStage<HttpResponse> resolveTag(ManifestNegotiation.AcceptedTypes accepted, boolean head,
      UpstreamName upstream, RepositoryName repository, Reference.ByTag byTag, String key) {
    long asked = System.currentTimeMillis();
    int pulls = 1 + freshTags.takeUnreported(upstream, repository.value(), byTag.tag().value());
    return tags.resolve(upstream, repository, byTag.tag(), PullKind.USER, pulls)
        .whenComplete((resolved, error) -> notFound.remember(key, error))
        .thenCompose(resolved -> {
          String warning = resolved.stale()
              ? "110 layercake \"Response is stale: " + resolved.staleReason() + "\"" : null;
          ManifestContent manifest = resolved.content();
          // The tag's owner may be another node: keep a copy, so requests by digest stay local.
          manifests.keep(manifest);
          if (!resolved.stale()) {
            freshTags.put(upstream, repository.value(), byTag.tag().value(), manifest, resolved.validatedAt());
          }
          // Validated at or after the ask: the entity asked upstream for this request. (The owner
          // may be another node; NTP-synchronised clocks keep this exact but for a rare request.)
          boolean hit = !resolved.stale() && resolved.validatedAt() < asked;
          return negotiate(accepted, upstream, repository, manifest, byTag)
              .thenApply(served ->
                  countTagPull(upstream, repository, byTag, hit, responses.respond(head, served, warning)));
        });
  }

  /**
   * Counts an answered request by tag as a cache hit or miss, and as a pull of the tag: the one
   * count of pulls ({@link TagIndex#pulled}). Only answered requests count: a tag that does not
   * exist is neither.
   */
  private HttpResponse countTagPull(UpstreamName upstream, RepositoryName repository, Reference.ByTag tag,
      boolean hit, HttpResponse response) {
    if (hit) {
      metrics.cacheHit(CacheKind.MANIFEST);
    } else {
      metrics.cacheMiss(CacheKind.MANIFEST);
    }
    tagIndex.pulled(upstream, repository.value(), tag.tag().value(), System.currentTimeMillis());
    return response;
  }

  /**
   * Applies Accept negotiation to a manifest fetched by tag: serve it, serve the default
   * platform's manifest from an index the client cannot read, or refuse as Docker Hub would.
   */
  private CompletionStage<ManifestContent> negotiate(ManifestNegotiation.AcceptedTypes accepted,
      UpstreamName upstream, RepositoryName repository, ManifestContent manifest, Reference tag) {
    switch (ManifestNegotiation.decide(accepted, manifest.mediaType(), tag)) {
      case SERVE_AS_IS:
        return CompletableFuture.completedFuture(manifest);
      case SERVE_PLATFORM_MANIFEST:
        Digest platform = ManifestNegotiation.defaultPlatformDigest(manifest.bytes())
            .map(Digest::parse)
            .orElseThrow(() -> ManifestNegotiation.notAcceptable(manifest.mediaType()));
        return manifests.byDigest(upstream, repository, platform)
            .thenApply(child -> {
              if (ManifestNegotiation.decidePlatformManifest(accepted, child.mediaType())
                  != ManifestNegotiation.Decision.SERVE_AS_IS) {
                throw ManifestNegotiation.notAcceptable(child.mediaType());
              }
              return child;
            });
      default:
        throw ManifestNegotiation.notAcceptable(manifest.mediaType());
    }
  }
}
