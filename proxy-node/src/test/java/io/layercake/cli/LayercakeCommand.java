package io.layercake.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Runs the {@code layercake} command in this JVM with captured output and its own environment,
 * for tests in any package.
 */
public final class LayercakeCommand {

  private LayercakeCommand() {}

  /** Runs {@code layercake args...} with {@code env} as its environment. */
  public static Result run(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Layercake.run(List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env);
    return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * What a run printed.
   *
   * @param status the exit status
   * @param out standard output
   * @param err standard error
   */
  public record Result(int status, String out, String err) {}
}
