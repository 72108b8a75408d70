package io.layercake.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.Failures;
import io.layercake.ThrottledLog;
import io.layercake.UpstreamName;
import io.layercake.blob.BlobFill;
import io.layercake.blob.BlobFills;
import io.layercake.blob.BlobFinder;
import io.layercake.blob.BlobReply;
import io.layercake.blob.BlobSettings;
import io.layercake.blob.ContinuedCopy;
import io.layercake.cluster.ClusterSettings;
import io.layercake.metrics.CacheKind;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StoredBlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET} and {@code HEAD /v2/<name>/blobs/<digest>}: serve what this node holds first;
 * otherwise the blob's entity makes it readable on its owner node (single flight), and this node
 * streams it from its own disk, proxies it from the owner, or redirects the client there.
 *
 * <p>A HEAD never starts a fill: it is answered from what the cluster knows (a committed copy or
 * a fill in progress, here or on the owner), else by a HEAD to upstream. Upstream's recent "no
 * such blob" answers are remembered ({@link NegativeCache}): a digest upstream does not have
 * costs, when asked for again, neither an entity nor an upstream call.
 */
final class BlobEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(BlobEndpoint.class);
  /** A full disk sends every cold blob this way: one line a minute says so. */
  private static final ThrottledLog UNCACHED = new ThrottledLog(Duration.ofMinutes(1));
  /** How long a response body may wait to be run before its blob lease lapses. */
  private static final Duration UNCLAIMED_BODY = Duration.ofSeconds(60);

  private final ActorSystem<?> system;
  private final BlobFills fills;
  private final BlobFinder finder;
  private final ClusterSettings cluster;
  private final InFlightStreams inFlight;
  private final NodeMetrics metrics;
  private final NodeHealth health;
  private final NegativeCache notFound;

  BlobEndpoint(ActorSystem<?> system, BlobFills fills, BlobSettings settings, ClusterSettings cluster,
      InFlightStreams inFlight, NodeHealth health) {
    this.health = health;
    this.system = system;
    this.fills = fills;
    this.finder = new BlobFinder(system, fills);
    this.cluster = cluster;
    this.inFlight = inFlight;
    this.metrics = NodeMetrics.get(system);
    this.notFound = new NegativeCache(settings.notFoundTtl(), settings.notFoundCacheSize(), System::nanoTime);
  }

  CompletionStage<HttpResponse> serve(HttpRequest request, boolean head, UpstreamName upstream,
      RepositoryName repository, Digest digest) {
    // Leased before the lookup, so eviction cannot delete the file between finding and opening it.
    Runnable release = finder.lease(digest);
    return leasedLookup(digest, release).thenCompose(local -> {
      if (local.isPresent()) {
        metrics.cacheHit(CacheKind.BLOB);
        return CompletableFuture.completedFuture(respondFromFile(request, head, local.get(), release));
      }
      release.run();
      String key = upstream + "/" + repository + "@" + digest;
      Optional<ErrorCode> known = notFound.get(key);
      if (known.isPresent()) {
        throw new OciException(known.get(), known.get().message(),
            repository + "@" + digest + ": upstream did not have it when last asked");
      }
      return health.whenCluster().thenCompose(ready -> askOwner(request, head, upstream, repository, digest, key));
    });
  }

  /** Asks the digest's entity, wherever in the cluster it lives, to locate or fetch the blob. */
  private CompletionStage<HttpResponse> askOwner(HttpRequest request, boolean head, UpstreamName upstream,
      RepositoryName repository, Digest digest, String key) {
    if (head) {
      return finder.locate(digest).thenCompose(reply -> serveHead(request, upstream, repository, digest, key, reply));
    }
    return finder.fetch(upstream, repository, digest)
        .thenCompose(reply -> serveReply(request, false, upstream, repository, digest, key, reply));
  }

  /**
   * A HEAD the entity answered: from the owner's copy or fill, or, when the owner has neither,
   * from upstream's answer to a HEAD of its own (no body moves, and nothing is stored).
   */
  private CompletionStage<HttpResponse> serveHead(HttpRequest request, UpstreamName upstream,
      RepositoryName repository, Digest digest, String key, BlobReply reply) {
    if (!(reply instanceof BlobReply.BlobAbsent)) {
      return serveReply(request, true, upstream, repository, digest, key, reply);
    }
    // A HEAD never reads the body, so no reader is needed.
    return fills.headUpstream(upstream, repository, digest)
        .whenComplete((size, error) -> notFound.remember(key, error))
        .thenApply(size -> respond(request, true, digest, size, null, () -> { }));
  }

  /**
   * The owner has no room to store the blob: this node streams it from upstream to the client,
   * verified as it goes, and stores it nowhere. A full disk costs single flight and the cache,
   * never the pull. The whole blob is sent whatever Range asked for, which HTTP allows.
   */
  private CompletionStage<HttpResponse> streamThrough(UpstreamName upstream, RepositoryName repository, Digest digest,
      String key, BlobReply.BlobUncached uncached) {
    UNCACHED.warn(LOG, "Streaming " + digest + " from upstream without storing it: " + uncached.reason());
    metrics.cacheMiss(CacheKind.BLOB);
    return fills.streamThrough(upstream, repository, digest)
        .whenComplete((blob, error) -> notFound.remember(key, error))
        .thenApply(blob -> {
          // A response Akka never sends (the client left) must give its upstream connection back.
          Source<ByteString, NotUsed> body = claimed(blob.body().via(inFlight.tracker()), blob.discard(), () -> { });
          return HttpResponse.create()
              .withHeaders(List.of(Responses.API_VERSION,
                  RawHeader.create("Docker-Content-Digest", digest.toString()),
                  RawHeader.create("Etag", "\"" + digest + "\"")))
              .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, blob.size(), body));
        });
  }

  /**
   * What this node holds of a blob, for another node's request: the committed file, or (unless
   * {@code committedOnly}) the fill in progress. 404 otherwise: nothing is fetched for a peer.
   */
  CompletionStage<HttpResponse> serveHeld(HttpRequest request, boolean head, Digest digest,
      boolean committedOnly) {
    // The running fill first: it stays readable through its own commit, whereas a file lookup
    // followed by a fill lookup could miss a fill that committed in between.
    Optional<BlobFill> running = committedOnly ? Optional.empty() : fills.running(digest);
    Runnable release = finder.lease(digest);
    if (running.isPresent()) {
      BlobFill fill = running.get();
      return CompletableFuture.completedFuture(respond(request, head, digest, fill.size(), fill::read, release));
    }
    return leasedLookup(digest, release).thenApply(local -> {
      if (local.isEmpty()) {
        release.run();
        throw new OciException(ErrorCode.BLOB_UNKNOWN, "blob not held by this node", digest.toString());
      }
      return respondFromFile(request, head, local.get(), release);
    });
  }

  /** Looks the blob up, releasing the lease if the lookup itself fails. */
  private CompletionStage<Optional<StoredBlob>> leasedLookup(Digest digest, Runnable release) {
    return finder.local(digest, true).whenComplete((found, error) -> {
      if (error != null) {
        release.run();
      }
    });
  }

  private CompletionStage<HttpResponse> serveReply(HttpRequest request, boolean head, UpstreamName upstream,
      RepositoryName repository, Digest digest, String key, BlobReply reply) {
    if (reply instanceof BlobReply.BlobFailure failure) {
      notFound.put(key, failure.failure().code());
      throw failure.failure().toException();
    }
    if (reply instanceof BlobReply.BlobUncached uncached) {
      return streamThrough(upstream, repository, digest, key, uncached);
    }
    BlobReply.BlobLocation location = (BlobReply.BlobLocation) reply;
    // Committed on the owner: a hit; still filling: the blob was not cached when asked.
    if (location.complete()) {
      metrics.cacheHit(CacheKind.BLOB);
    } else {
      metrics.cacheMiss(CacheKind.BLOB);
    }
    if (finder.isHere(location.ownerUrl())) {
      return serveHeld(request, head, digest, false)
          .exceptionally(error -> {
            // Committed and moved, or failed, between the entity's answer and this lookup: the
            // client retries. Anything else (a disk that cannot be read) keeps its own answer.
            if (Failures.unwrap(error) instanceof OciException oci && oci.code() == ErrorCode.BLOB_UNKNOWN) {
              throw BlobFinder.MOVING;
            }
            throw error instanceof CompletionException wrapped ? wrapped : new CompletionException(error);
          });
    }
    if (head) {
      return CompletableFuture.completedFuture(respond(request, true, digest, location.size(), null, () -> { }));
    }
    if (cluster.dataPlane() == ClusterSettings.DataPlane.REDIRECT) {
      String target = location.ownerUrl() + request.getUri().path()
          + request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
      return CompletableFuture.completedFuture(HttpResponse.create()
          .withStatus(StatusCodes.TEMPORARY_REDIRECT)
          .withHeaders(List.of(Responses.API_VERSION, RawHeader.create("Location", target))));
    }
    return proxyFromOwner(request, upstream, repository, digest, location.ownerUrl());
  }

  private CompletionStage<HttpResponse> proxyFromOwner(HttpRequest request, UpstreamName upstream,
      RepositoryName repository, Digest digest, String ownerUrl) {
    List<HttpHeader> forwarded = new ArrayList<>();
    request.getHeader("Range").ifPresent(forwarded::add);
    return finder.fromOwner(ownerUrl, digest, forwarded)
        .exceptionally(error -> {
          throw new OciException(ErrorCode.UNAVAILABLE, "the node holding the blob did not answer, retry",
              digest.toString(), Duration.ofSeconds(1));
        })
        .thenApply(response -> {
          int status = response.status().intValue();
          if (status != 200 && status != 206 && status != 416) {
            finder.discard(response);
            throw BlobFinder.MOVING;
          }
          List<HttpHeader> headers = new ArrayList<>();
          for (HttpHeader header : response.getHeaders()) {
            if (header.is("content-range") || header.is("docker-content-digest") || header.is("etag")
                || header.is("accept-ranges") || header.is("docker-distribution-api-version")) {
              headers.add(header);
            }
          }
          long length = response.entity().getContentLengthOption().orElse(-1L);
          Source<ByteString, NotUsed> body = response.entity().getDataBytes()
              .mapMaterializedValue(ignored -> NotUsed.getInstance());
          long first = status == 200 ? 0
              : response.getHeader("Content-Range").map(h -> ByteRange.firstOfContentRange(h.value())).orElse(-1L);
          if (status != 416 && length >= 0 && first >= 0) {
            // The owner stopping mid-body (a rolling restart, a crash) must not break the client's
            // pull: the rest comes from wherever the blob's entity says it is now.
            body = ContinuedCopy.of(body, ContinuedCopy.MAX_CONTINUATIONS, offset -> finder
                .read(upstream, repository, digest, first + offset, first + length - 1)
                .thenApply(BlobFinder.SizedSource::body));
          }
          body = body.via(inFlight.tracker());
          return HttpResponse.create().withStatus(response.status()).withHeaders(headers)
              .withEntity(length >= 0
                  ? HttpEntities.create(response.entity().getContentType(), length, body)
                  : HttpEntities.createChunked(response.entity().getContentType(), body));
        });
  }

  private HttpResponse respondFromFile(HttpRequest request, boolean head, StoredBlob blob, Runnable release) {
    return respond(request, head, blob.digest(), blob.size(),
        (first, last) -> finder.readFile(blob, first, last), release);
  }

  /** Responds with bytes of the blob; {@code release} ends the reader's lease when the body ends. */
  private HttpResponse respond(HttpRequest request, boolean head, Digest digest, long size,
      RangeReader reader, Runnable release) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(Responses.API_VERSION);
    headers.add(RawHeader.create("Docker-Content-Digest", digest.toString()));
    headers.add(RawHeader.create("Etag", "\"" + digest + "\""));
    headers.add(RawHeader.create("Accept-Ranges", "bytes"));
    Optional<ByteRange> range;
    try {
      range = request.getHeader("Range").flatMap(h -> ByteRange.parse(h.value(), size));
    } catch (OciException unsatisfiable) {
      release.run();
      return Responses.error(unsatisfiable)
          .addHeader(RawHeader.create("Content-Range", ByteRange.unsatisfiedContentRange(size)));
    }
    long first = range.map(ByteRange::first).orElse(0L);
    long last = range.map(ByteRange::last).orElse(size - 1);
    long length = last - first + 1;
    range.ifPresent(r -> headers.add(RawHeader.create("Content-Range", r.contentRange(size))));
    HttpResponse response = HttpResponse.create()
        .withStatus(range.isPresent() ? StatusCodes.PARTIAL_CONTENT : StatusCodes.OK);
    if (head || length == 0) {
      release.run();
    }
    if (head) {
      headers.add(new HeadContentLength(length));
      return response.withHeaders(headers)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, new byte[0]));
    }
    Source<ByteString, NotUsed> body = length == 0 ? Source.empty()
        : claimed(reader.read(first, last).via(inFlight.tracker()), release, release);
    return response.withHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, length, body));
  }

  /**
   * Runs {@code whenDone} when the body ends. A body that Akka HTTP never runs (the client went
   * away before the response was sent) runs {@code unclaimed} after {@link #UNCLAIMED_BODY}
   * instead, so that an abandoned response cannot hold a lease, or an upstream connection, for ever.
   */
  private Source<ByteString, NotUsed> claimed(Source<ByteString, NotUsed> body, Runnable unclaimed,
      Runnable whenDone) {
    AtomicBoolean started = new AtomicBoolean();
    system.scheduler().scheduleOnce(UNCLAIMED_BODY, () -> {
      if (!started.get()) {
        unclaimed.run();
      }
    }, system.executionContext());
    return body.watchTermination((notUsed, done) -> {
      started.set(true);
      done.whenComplete((ok, error) -> whenDone.run());
      return notUsed;
    });
  }

  /** Opens a stream of bytes {@code first..last} of the blob. */
  private interface RangeReader {
    Source<ByteString, NotUsed> read(long first, long last);
  }
}
