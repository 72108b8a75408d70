package io.layercake.oci;

import java.time.Duration;

/**
 * An {@link OciException} as plain data, so that an entity's reply can carry it between nodes and
 * the client still gets the right code, status and Retry-After.
 *
 * @param code the OCI error code
 * @param message the client-facing message
 * @param detail the detail, or null
 * @param retryAfterSeconds when to retry, or null
 */
public record OciFailure(ErrorCode code, String message, String detail, Long retryAfterSeconds) {

  /** The failure for a throwable: OCI errors keep their code; anything else is UNAVAILABLE. */
  public static OciFailure of(Throwable cause) {
    if (cause instanceof OciException oci) {
      return new OciFailure(oci.code(), oci.shortMessage(), oci.detail().orElse(null),
          oci.retryAfter().map(Duration::toSeconds).orElse(null));
    }
    // Only the kind of failure reaches the client: messages of internal errors can name paths.
    return new OciFailure(ErrorCode.UNAVAILABLE, ErrorCode.UNAVAILABLE.message(),
        cause.getClass().getSimpleName(), null);
  }

  /** The failure as an exception for the HTTP edge. */
  public OciException toException() {
    return new OciException(code, message, detail,
        retryAfterSeconds == null ? null : Duration.ofSeconds(retryAfterSeconds));
  }
}
