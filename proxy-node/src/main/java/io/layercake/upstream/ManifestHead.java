package io.layercake.upstream;

import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code HEAD /v2/<name>/manifests/<reference>}: where a tag points now, without counting as a
 * pull on Docker Hub. With no body to hash, the answer is upstream's {@code
 * Docker-Content-Digest}, which a HEAD by tag therefore must carry.
 *
 * @param repository the repository
 * @param reference the tag or digest
 */
record ManifestHead(RepositoryName repository, Reference reference) implements ManifestCall<UpstreamManifestHead> {

  @Override
  public String action() {
    return "check manifest " + ManifestDigests.describe(repository, reference);
  }

  @Override
  public UpstreamCall kind() {
    return UpstreamCall.MANIFEST_HEAD;
  }

  @Override
  public HttpMethod method() {
    return HttpMethods.HEAD;
  }

  @Override
  public CompletionStage<UpstreamManifestHead> handle(HttpResponse response, CallContext context) {
    context.http().discard(response);
    Optional<Digest> header = ManifestDigests.headerDigest(response);
    Optional<Digest> requested = reference.digest();
    if (header.isPresent() && requested.isPresent() && !header.get().equals(requested.get())) {
      return CompletableFuture.failedFuture(context.failure(ErrorCode.MANIFEST_INVALID,
          "upstream's Docker-Content-Digest " + header.get() + " is not the request digest "
              + requested.get()));
    }
    Optional<Digest> digest = header.or(() -> requested);
    if (digest.isEmpty()) {
      return CompletableFuture.failedFuture(context.failure(ErrorCode.MANIFEST_INVALID,
          "upstream sent no sha256 Docker-Content-Digest"));
    }
    OptionalLong size = response.entity().getContentLengthOption();
    if (size.isEmpty()) {
      return CompletableFuture.failedFuture(context.failure(ErrorCode.MANIFEST_INVALID,
          "upstream sent no Content-Length"));
    }
    return CompletableFuture.completedFuture(new UpstreamManifestHead(
        digest.get(), ManifestDigests.mediaType(response), size.getAsLong()));
  }
}
