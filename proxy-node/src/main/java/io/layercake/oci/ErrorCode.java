package io.layercake.oci;

/**
 * The error codes of the OCI distribution spec (and the distribution registry's additions that
 * clients know), each with the HTTP status a registry answers with.
 */
public enum ErrorCode {
  /** The blob is unknown to the registry. */
  BLOB_UNKNOWN(404, "blob unknown to registry"),
  /** The digest does not parse or does not match the content. */
  DIGEST_INVALID(400, "provided digest did not match uploaded content"),
  /** An uploaded body (an image archive for {@code load}) is not what it claims to be. */
  BLOB_UPLOAD_INVALID(400, "blob upload invalid"),
  /** The manifest is unknown to the registry. */
  MANIFEST_UNKNOWN(404, "manifest unknown"),
  /** The manifest is invalid. */
  MANIFEST_INVALID(400, "manifest invalid"),
  /** The repository name is not valid. */
  NAME_INVALID(400, "invalid repository name"),
  /** The repository is not known to the registry. */
  NAME_UNKNOWN(404, "repository name not known to registry"),
  /** The tag is not valid. */
  TAG_INVALID(400, "manifest tag did not match URI"),
  /** A pagination parameter is not valid. */
  PAGINATION_NUMBER_INVALID(400, "invalid number of results requested"),
  /** The requested byte range cannot be satisfied. */
  RANGE_INVALID(416, "invalid content range"),
  /** Authentication is required. */
  UNAUTHORIZED(401, "authentication required"),
  /** The access is denied. */
  DENIED(403, "requested access to the resource is denied"),
  /** The operation is not supported by this registry (a read-only mirror). */
  UNSUPPORTED(405, "the operation is unsupported"),
  /** The client or the upstream hit a rate limit. */
  TOOMANYREQUESTS(429, "too many requests"),
  /** An unexpected failure inside the registry: a bug, logged with its stack trace. */
  UNKNOWN(500, "unknown error"),
  /** The registry cannot answer now: upstream unreachable, timeout, or overload. */
  UNAVAILABLE(503, "service unavailable");

  private final int status;
  private final String message;

  ErrorCode(int status, String message) {
    this.status = status;
    this.message = message;
  }

  /** The HTTP status code a registry answers with for this error. */
  public int status() {
    return status;
  }

  /** The spec's default human-readable message. */
  public String message() {
    return message;
  }
}
