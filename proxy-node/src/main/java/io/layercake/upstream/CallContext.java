package io.layercake.upstream;

import akka.http.javadsl.model.HttpEntity;
import akka.http.scaladsl.model.EntityStreamSizeException;
import io.layercake.Failures;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.transport.HttpTransport;
import java.util.concurrent.CompletionStage;

/**
 * What an endpoint needs while it turns a response into a result: the description that opens
 * every error, Jib-style ("pull manifest library/redis:7 from https://registry-1.docker.io: ..."),
 * and the transport to read bodies with.
 */
record CallContext(String description, HttpTransport http, UpstreamClientSettings client) {

  /** An error whose detail is the description followed by {@code reason}. */
  OciException failure(ErrorCode code, String reason) {
    return new OciException(code, code.message(), description + ": " + reason);
  }

  /**
   * Reads a manifest-sized body whole, capped at {@code max-manifest-size}: over the cap fails
   * with {@code tooLarge}, a broken connection with UNAVAILABLE.
   */
  CompletionStage<byte[]> readDocument(HttpEntity entity, ErrorCode tooLarge) {
    long max = client.maxManifestSize();
    return http.readSmall(entity, max).exceptionally(error -> {
      Throwable cause = Failures.unwrap(error);
      if (cause instanceof HttpTransport.BodyTooLargeException
          || cause instanceof EntityStreamSizeException) {
        throw failure(tooLarge, "upstream sent more than max-manifest-size (" + max + " bytes)");
      }
      throw failure(ErrorCode.UNAVAILABLE, "reading the response failed: " + Failures.describe(cause));
    });
  }
}
