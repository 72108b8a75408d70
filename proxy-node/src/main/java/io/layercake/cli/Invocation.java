package io.layercake.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * What one run of the {@code layercake} command has to work with: its standard streams, its
 * environment, and whether a person is at a terminal. Tests pass their own, so that every verb
 * runs in the test's JVM exactly as from a shell.
 *
 * @param in standard input ({@code load} reads an archive from it, {@code prune -a} a confirmation)
 * @param out standard output
 * @param err standard error
 * @param env the environment ({@code LAYERCAKE_URL}, {@code LAYERCAKE_ADMIN_TOKEN}, ...)
 * @param interactive whether standard input and output are a terminal: progress is drawn, a
 *     destructive verb asks, and an archive is never written to the screen
 */
record Invocation(InputStream in, PrintStream out, PrintStream err, Map<String, String> env, boolean interactive) {

  /** The process's own streams and environment. */
  static Invocation ofProcess() {
    return new Invocation(System.in, System.out, System.err, System.getenv(), System.console() != null);
  }
}
