package io.layercake.oci;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure that reaches the client as OCI error JSON: an {@link ErrorCode} (which fixes the
 * status), a message, and an optional detail. Expected failures (bad input, unknown content,
 * upstream errors) travel as this type; anything else is a bug and answers 500.
 */
public class OciException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final String clientMessage;
  private final String detail;
  private final Duration retryAfter;

  /** An error with the code's default message. */
  public OciException(ErrorCode code, String detail) {
    this(code, code.message(), detail, null);
  }

  /** An error with its own message and an optional detail (may be null). */
  public OciException(ErrorCode code, String message, String detail) {
    this(code, message, detail, null);
  }

  /** An error that tells the client when to retry (429 and 503 pass Retry-After on). */
  public OciException(ErrorCode code, String message, String detail, Duration retryAfter) {
    super(message + (detail == null ? "" : ": " + detail));
    this.code = code;
    this.clientMessage = message;
    this.detail = detail;
    this.retryAfter = retryAfter;
  }

  /** The OCI error code. */
  public ErrorCode code() {
    return code;
  }

  /** The message shown to the client, without the detail. */
  public String shortMessage() {
    return clientMessage;
  }

  /** The detail shown to the client, if any. */
  public Optional<String> detail() {
    return Optional.ofNullable(detail);
  }

  /** How long the client should wait before retrying, if known. */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
