package io.layercake.upstream;

import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /v2/<name>/manifests/<reference>}, accepting every manifest type so that the mirror
 * caches what upstream really holds (an index, not one platform's manifest). The bytes are read
 * whole, capped at {@code max-manifest-size}, and only returned once their sha256 matches the
 * digest asked for and upstream's {@code Docker-Content-Digest}.
 *
 * @param repository the repository
 * @param reference the tag or digest
 */
record ManifestPull(RepositoryName repository, Reference reference) implements ManifestCall<ManifestContent> {

  @Override
  public String action() {
    return "pull manifest " + ManifestDigests.describe(repository, reference);
  }

  @Override
  public UpstreamCall kind() {
    return UpstreamCall.MANIFEST;
  }

  @Override
  public HttpMethod method() {
    return HttpMethods.GET;
  }

  @Override
  public CompletionStage<ManifestContent> handle(HttpResponse response, CallContext context) {
    String mediaType = ManifestDigests.mediaType(response);
    return context.readDocument(response.entity(), ErrorCode.MANIFEST_INVALID).thenApply(bytes -> {
      Digest computed = Digest.sha256Of(bytes);
      ManifestDigests.verify(computed, reference, ManifestDigests.headerDigest(response), context);
      return new ManifestContent(computed, mediaType, bytes);
    });
  }
}
