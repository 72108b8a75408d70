package io.layercake.upstream;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;

/**
 * An UNAVAILABLE failure that happened before any body byte arrived (no connection, a timeout
 * waiting for headers, a 502, 503 or 504), so the request may be sent again. Callers outside the
 * package see it as the {@link OciException} it is.
 */
final class RetryableUpstreamException extends OciException {

  private static final long serialVersionUID = 1L;

  RetryableUpstreamException(String detail) {
    super(ErrorCode.UNAVAILABLE, ErrorCode.UNAVAILABLE.message(), detail);
  }
}
