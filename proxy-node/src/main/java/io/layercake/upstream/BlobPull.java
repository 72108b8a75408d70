package io.layercake.upstream;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.RepositoryName;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /v2/<name>/blobs/<digest>}, usually answered by a redirect to a CDN. The call
 * completes as soon as the response headers are in; the body streams through {@link
 * BlobBodyVerifier} when the caller runs it, and is never held in memory.
 *
 * @param repository the repository
 * @param digest the blob
 */
record BlobPull(RepositoryName repository, Digest digest) implements BlobCall<UpstreamBlob> {

  @Override
  public String action() {
    return "pull blob " + digest + " of " + repository;
  }

  @Override
  public HttpMethod method() {
    return HttpMethods.GET;
  }

  @Override
  public CompletionStage<UpstreamBlob> handle(HttpResponse response, CallContext context) {
    HttpEntity entity = response.entity();
    OptionalLong size = entity.getContentLengthOption();
    if (response.status().intValue() != 200 || size.isEmpty()) {
      // Without a length the fill could not tell a complete blob from a cut one; a 206 or other
      // 2xx answers a question this client never asks.
      context.http().cancel(entity);
      return CompletableFuture.failedFuture(context.failure(ErrorCode.UNAVAILABLE,
          size.isEmpty() ? "upstream sent no Content-Length"
              : "upstream answered " + response.status().intValue() + " instead of 200"));
    }
    BlobBodyVerifier verifier = new BlobBodyVerifier(
        digest, size.getAsLong(), context.client().idleTimeout(), context.description());
    return CompletableFuture.completedFuture(new UpstreamBlob(
        size.getAsLong(),
        entity.getDataBytes().via(verifier),
        () -> context.http().cancel(entity),
        context.description()));
  }
}
