package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import java.util.List;

/**
 * A call on {@code /v2/<name>/blobs/<digest>}: what a HEAD and a GET of one blob share (path,
 * repository for the token scope, the error a 404 means). Implementations choose the method and
 * read the answer.
 */
interface BlobCall<T> extends RegistryEndpoint<T> {

  /** The blob. */
  Digest digest();

  @Override
  default UpstreamCall kind() {
    return UpstreamCall.BLOB;
  }

  @Override
  default String pathAndQuery() {
    return "/v2/" + repository() + "/blobs/" + digest();
  }

  @Override
  default List<HttpHeader> headers() {
    return List.of();
  }

  @Override
  default ErrorCode notFoundCode() {
    return ErrorCode.BLOB_UNKNOWN;
  }
}
