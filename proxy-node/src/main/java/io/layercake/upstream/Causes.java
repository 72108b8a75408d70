package io.layercake.upstream;

import java.util.concurrent.CompletionException;

/** Reading the cause out of a failed {@code CompletionStage}, for error details. */
final class Causes {

  private Causes() {}

  /** The real failure inside a {@link CompletionException} wrapper. */
  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** The failure's message, or its type when it has none (Akka's connection closures). */
  static String describe(Throwable error) {
    Throwable cause = unwrap(error);
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
