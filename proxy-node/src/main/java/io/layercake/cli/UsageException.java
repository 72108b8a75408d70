package io.layercake.cli;

/**
 * A command line the verb cannot run: printed as one line that points at the verb's help, and
 * exit status 125, as docker's CLI does for its own usage errors.
 */
final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
