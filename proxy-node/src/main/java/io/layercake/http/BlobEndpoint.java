package io.layercake.http;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.blob.BlobEntity;
import io.layercake.blob.BlobFill;
import io.layercake.blob.BlobFills;
import io.layercake.blob.BlobReply;
import io.layercake.blob.BlobSettings;
import io.layercake.blob.FileRangeSource;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StoredBlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET} and {@code HEAD /v2/<name>/blobs/<digest>}: serve local first; otherwise the blob's
 * entity makes it readable (single flight), and the response streams from the file, growing or
 * complete. A HEAD of a cold blob starts its fill, so it doubles as a prewarm.
 */
final class BlobEndpoint {

  private final ActorSystem<?> system;
  private final BlobFills fills;
  private final BlobSettings settings;

  BlobEndpoint(ActorSystem<?> system, BlobFills fills, BlobSettings settings) {
    this.system = system;
    this.fills = fills;
    this.settings = settings;
  }

  CompletionStage<HttpResponse> serve(HttpRequest request, boolean head, String upstream,
      RepositoryName repository, Digest digest) {
    return findLocal(digest).thenCompose(local -> {
      if (local.isPresent()) {
        return CompletableFuture.completedFuture(respond(request, head, digest, local.get().size(),
            (first, last) -> fileSource(local.get(), first, last)));
      }
      return ClusterSharding.get(system)
          .entityRefFor(BlobEntity.ENTITY_KEY, digest.toString())
          .<BlobReply>ask(replyTo -> new BlobEntity.FetchBlob(upstream, repository, replyTo),
              settings.askTimeout())
          .thenCompose(reply -> serveReply(request, head, digest, reply));
    });
  }

  private CompletionStage<HttpResponse> serveReply(HttpRequest request, boolean head, Digest digest,
      BlobReply reply) {
    if (reply instanceof BlobReply.BlobFailure failure) {
      throw failure.failure().toException();
    }
    BlobReply.BlobLocation location = (BlobReply.BlobLocation) reply;
    Optional<BlobFill> fill = location.complete() ? Optional.empty() : fills.running(digest);
    if (fill.isPresent()) {
      BlobFill growing = fill.get();
      return CompletableFuture.completedFuture(respond(request, head, digest, growing.size(), growing::read));
    }
    // Committed (or committed in the moment since the entity answered): serve the file.
    return findLocal(digest).thenApply(local -> {
      StoredBlob stored = local.orElseThrow(() -> new OciException(ErrorCode.UNAVAILABLE,
          "blob is being replaced, retry", digest.toString(), java.time.Duration.ofSeconds(1)));
      return respond(request, head, digest, stored.size(), (first, last) -> fileSource(stored, first, last));
    });
  }

  private CompletionStage<Optional<StoredBlob>> findLocal(Digest digest) {
    return CompletableFuture.supplyAsync(() -> {
      Optional<StoredBlob> found = fills.store().find(digest);
      found.ifPresent(blob -> fills.store().recordPull(digest));
      return found;
    }, fills.blockingExecutor());
  }

  private Source<ByteString, NotUsed> fileSource(StoredBlob blob, long first, long last) {
    return FileRangeSource.ofFile(blob.path(), first, last, fills.blockingExecutor());
  }

  private static HttpResponse respond(HttpRequest request, boolean head, Digest digest, long size,
      RangeReader reader) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(Responses.API_VERSION);
    headers.add(RawHeader.create("Docker-Content-Digest", digest.toString()));
    headers.add(RawHeader.create("Etag", "\"" + digest + "\""));
    headers.add(RawHeader.create("Accept-Ranges", "bytes"));
    Optional<ByteRange> range;
    try {
      range = request.getHeader("Range").flatMap(h -> ByteRange.parse(h.value(), size));
    } catch (OciException unsatisfiable) {
      return Responses.error(unsatisfiable)
          .addHeader(RawHeader.create("Content-Range", ByteRange.unsatisfiedContentRange(size)));
    }
    long first = range.map(ByteRange::first).orElse(0L);
    long last = range.map(ByteRange::last).orElse(size - 1);
    long length = last - first + 1;
    range.ifPresent(r -> headers.add(RawHeader.create("Content-Range", r.contentRange(size))));
    if (head) {
      headers.add(new HeadContentLength(length));
      return HttpResponse.create()
          .withStatus(range.isPresent() ? StatusCodes.PARTIAL_CONTENT : StatusCodes.OK)
          .withHeaders(headers)
          .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, new byte[0]));
    }
    Source<ByteString, NotUsed> body = length == 0 ? Source.empty() : reader.read(first, last);
    return HttpResponse.create()
        .withStatus(range.isPresent() ? StatusCodes.PARTIAL_CONTENT : StatusCodes.OK)
        .withHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_OCTET_STREAM, length, body));
  }

  /** Opens a stream of bytes {@code first..last} of the blob. */
  private interface RangeReader {
    Source<ByteString, NotUsed> read(long first, long last);
  }
}
