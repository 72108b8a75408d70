package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.RepositoryName;
import java.util.List;

/**
 * A call on {@code /v2/<name>/blobs/<digest>}: what a HEAD and a GET of one blob share (path,
 * repository for the token scope, the error a 404 means). Subclasses choose the method and read
 * the answer.
 */
abstract class BlobCall<T> implements RegistryEndpoint<T> {

  final RepositoryName repository;
  final Digest digest;

  BlobCall(RepositoryName repository, Digest digest) {
    this.repository = repository;
    this.digest = digest;
  }

  @Override
  public final RepositoryName repository() {
    return repository;
  }

  @Override
  public final UpstreamCall kind() {
    return UpstreamCall.BLOB;
  }

  @Override
  public final String pathAndQuery() {
    return "/v2/" + repository + "/blobs/" + digest;
  }

  @Override
  public final List<HttpHeader> headers() {
    return List.of();
  }

  @Override
  public final ErrorCode notFoundCode() {
    return ErrorCode.BLOB_UNKNOWN;
  }
}
