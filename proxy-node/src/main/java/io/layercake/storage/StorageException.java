package io.layercake.storage;

import java.io.IOException;
import java.io.UncheckedIOException;

/** A failure of the node's own disk or database; the message names the action that failed. */
public final class StorageException extends UncheckedIOException {

  private static final long serialVersionUID = 1L;

  /** A failure of {@code action}, such as "commit blob sha256:...". */
  public StorageException(String action, Exception cause) {
    super("Failed to " + action + ": " + cause.getMessage(),
        cause instanceof IOException io ? io : new IOException(cause));
  }
}
