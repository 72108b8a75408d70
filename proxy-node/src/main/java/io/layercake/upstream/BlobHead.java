package io.layercake.upstream;

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
 * {@code HEAD /v2/<name>/blobs/<digest>}: whether upstream holds the blob in that repository, and
 * its size, without a body and without a pull counted against Docker Hub's rate limit.
 *
 * @param repository the repository
 * @param digest the blob
 */
record BlobHead(RepositoryName repository, Digest digest) implements BlobCall<Long> {

  @Override
  public String action() {
    return "check blob " + digest + " of " + repository;
  }

  @Override
  public HttpMethod method() {
    return HttpMethods.HEAD;
  }

  @Override
  public CompletionStage<Long> handle(HttpResponse response, CallContext context) {
    context.http().discard(response);
    OptionalLong size = response.entity().getContentLengthOption();
    if (size.isEmpty()) {
      return CompletableFuture.failedFuture(context.failure(ErrorCode.UNAVAILABLE,
          "upstream sent no Content-Length"));
    }
    return CompletableFuture.completedFuture(size.getAsLong());
  }
}
