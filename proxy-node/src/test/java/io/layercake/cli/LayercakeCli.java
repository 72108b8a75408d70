package io.layercake.cli;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs the {@code layercake} command in the test JVM, with captured output, for other packages' tests. */
public final class LayercakeCli {

  /** The token the cache-verb tests configure on their nodes. */
  private static final String TOKEN = "verbs-token";

  private LayercakeCli() {}

  /** Runs {@code args} with {@code LAYERCAKE_ADMIN_TOKEN} set to the tests' token. */
  public static Output run(String... args) {
    return run(Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN), args);
  }

  /** Runs {@code args} with no token in the environment. */
  public static Output runWithoutToken(String... args) {
    return run(Map.of(), args);
  }

  /** Runs {@code args} with {@code env} as the whole environment. */
  public static Output run(Map<String, String> env, String... args) {
    return run(env, new ByteArrayInputStream(new byte[0]), false, args);
  }

  /**
   * Runs {@code args} with {@code env}, {@code in} as stdin, and, if {@code interactive}, as if
   * a person sat at a terminal.
   */
  public static Output run(Map<String, String> env, InputStream in, boolean interactive, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = Layercake.run(List.of(args), new Invocation(in, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), env, interactive));
    return new Output(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /**
   * What a run printed.
   *
   * @param status the exit status
   * @param out standard output
   * @param err standard error
   */
  public record Output(int status, String out, String err) {}
}
