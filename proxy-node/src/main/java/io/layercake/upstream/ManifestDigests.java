package io.layercake.upstream;

import akka.http.javadsl.model.HttpResponse;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.Reference;
import java.util.Optional;

/** The digest and media type checks shared by the manifest GET and HEAD. */
final class ManifestDigests {

  private ManifestDigests() {}

  /**
   * Upstream's {@code Docker-Content-Digest}, when it sent one in the sha256 form this mirror
   * can check; another algorithm is not an error, only not checkable.
   */
  static Optional<Digest> headerDigest(HttpResponse response) {
    return response.getHeader("Docker-Content-Digest")
        .map(header -> header.value().trim())
        .filter(Digest::isDigest)
        .map(Digest::parse);
  }

  /**
   * Checks {@code computed} against the digest asked for and the header; throws MANIFEST_INVALID
   * naming both digests on a mismatch.
   */
  static void verify(Digest computed, Reference reference, Optional<Digest> header,
      CallContext context) {
    Optional<Digest> requested = reference.digest();
    if (requested.isPresent() && !requested.get().equals(computed)) {
      throw context.failure(ErrorCode.MANIFEST_INVALID, "the pulled manifest has digest "
          + computed + ", but the request digest was " + requested.get());
    }
    if (header.isPresent() && !header.get().equals(computed)) {
      throw context.failure(ErrorCode.MANIFEST_INVALID, "the pulled manifest has digest "
          + computed + ", but upstream's Docker-Content-Digest was " + header.get());
    }
  }

  /** The response's media type without parameters, as registries compare it. */
  static String mediaType(HttpResponse response) {
    String full = response.entity().getContentType().mediaType().toString();
    int parameters = full.indexOf(';');
    return (parameters < 0 ? full : full.substring(0, parameters)).trim();
  }

  /** {@code repo:tag} or {@code repo@digest}, as docker prints a reference. */
  static String describe(Object repository, Reference reference) {
    return repository + (reference.digest().isPresent() ? "@" : ":") + reference;
  }
}
