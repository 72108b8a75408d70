package io.layercake.testkit;

/** A skopeo run failed or timed out; the message carries the command and skopeo's stderr. */
public final class SkopeoException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The failure of the command described in {@code message}. */
  public SkopeoException(String message) {
    super(message);
  }

  /** The failure of the command described in {@code message}, caused by {@code cause}. */
  public SkopeoException(String message, Throwable cause) {
    super(message, cause);
  }
}
