package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RawHeader;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.Reference;
import java.util.List;

/**
 * A call on {@code /v2/<name>/manifests/<reference>}: what a HEAD and a GET of one manifest share
 * (path, repository for the token scope, an Accept header of every manifest type, the error a
 * 404 means). Implementations choose the method and the kind, and read the answer.
 */
interface ManifestCall<T> extends RegistryEndpoint<T> {

  /**
   * Every manifest type, in the one Accept header Docker Hub reads: the mirror caches what
   * upstream really holds (an index, not one platform's manifest).
   */
  HttpHeader ACCEPT_ALL_MANIFESTS =
      RawHeader.create("Accept", String.join(", ", MediaType.ALL_MANIFESTS));

  /** The tag or digest asked for. */
  Reference reference();

  @Override
  default String pathAndQuery() {
    return "/v2/" + repository() + "/manifests/" + reference();
  }

  @Override
  default List<HttpHeader> headers() {
    return List.of(ACCEPT_ALL_MANIFESTS);
  }

  @Override
  default ErrorCode notFoundCode() {
    return ErrorCode.MANIFEST_UNKNOWN;
  }
}
