package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RawHeader;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import java.util.List;

/**
 * A call on {@code /v2/<name>/manifests/<reference>}: what a HEAD and a GET of one manifest share
 * (path, repository for the token scope, an Accept header of every manifest type, the error a
 * 404 means). Subclasses choose the method and the kind, and read the answer.
 */
abstract class ManifestCall<T> implements RegistryEndpoint<T> {

  /**
   * Every manifest type, in the one Accept header Docker Hub reads: the mirror caches what
   * upstream really holds (an index, not one platform's manifest).
   */
  static final HttpHeader ACCEPT_ALL_MANIFESTS =
      RawHeader.create("Accept", String.join(", ", MediaType.ALL_MANIFESTS));

  final RepositoryName repository;
  final Reference reference;

  ManifestCall(RepositoryName repository, Reference reference) {
    this.repository = repository;
    this.reference = reference;
  }

  @Override
  public final RepositoryName repository() {
    return repository;
  }

  @Override
  public final String pathAndQuery() {
    return "/v2/" + repository + "/manifests/" + reference;
  }

  @Override
  public final List<HttpHeader> headers() {
    return List.of(ACCEPT_ALL_MANIFESTS);
  }

  @Override
  public final ErrorCode notFoundCode() {
    return ErrorCode.MANIFEST_UNKNOWN;
  }
}
