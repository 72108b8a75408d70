package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command of a third-party program (podman, ctr) to completion within a time limit, with
 * its output captured, in an environment that holds only the variables given plus a standard
 * {@code PATH}: nothing from the test JVM's environment (proxies, {@code CONTAINERS_*}, {@code
 * XDG_*}) can redirect the program or make it use global configuration.
 *
 * <p>The command runs under {@link ChildProcesses}, so it is ended at the time limit and never
 * outlives the JVM.
 */
public final class BoundedCommand {

  /** The {@code PATH} every command gets: the programs themselves find their helpers there. */
  public static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final Path ENV = Path.of("/usr/bin/env");
  private static final int STDERR_TAIL_CHARS = 4000;

  /**
   * What one run printed.
   *
   * @param stdout the standard output as UTF-8 text
   * @param stderr the standard error as UTF-8 text
   */
  public record Result(String stdout, String stderr) {}

  private BoundedCommand() {}

  /**
   * Runs {@code command} in {@code workDir} with exactly {@code environment} (and {@code PATH}),
   * waits at most {@code timeout}, and returns its output.
   *
   * @throws IllegalStateException if it exits with a status other than 0 or runs out of time; the
   *     message holds the command line and the end of its stderr
   */
  public static Result run(
      List<String> command, Map<String, String> environment, Duration timeout, Path workDir) {
    List<String> full = new ArrayList<>(List.of(ENV.toString(), "-i", "PATH=" + PATH));
    new TreeMap<>(environment).forEach((name, value) -> full.add(name + "=" + value));
    full.addAll(command);
    String commandLine = String.join(" ", command);
    Path scratch = null;
    try {
      scratch = Files.createTempDirectory("bounded-command-");
      Path out = scratch.resolve("stdout");
      Path err = scratch.resolve("stderr");
      // the timeout wrapper is only a backstop for a JVM that dies: we stop the command ourselves
      Process process = ChildProcesses.start(full, timeout.plusSeconds(30), out, err, workDir);
      boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        ChildProcesses.stop(process);
      }
      Result result = new Result(read(out), read(err));
      if (!exited) {
        throw new IllegalStateException(
            "timed out after " + timeout + ": " + commandLine + "\nstderr: " + tail(result));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "exit status " + process.exitValue() + ": " + commandLine + "\nstderr: " + tail(result));
      }
      return result;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + commandLine, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + commandLine, e);
    } finally {
      if (scratch != null) {
        TestFiles.deleteRecursively(scratch);
      }
    }
  }

  private static String read(Path file) throws IOException {
    // progress bars and other output need not be valid UTF-8: decode leniently
    return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
  }

  private static String tail(Result result) {
    String stderr = result.stderr();
    return stderr.length() <= STDERR_TAIL_CHARS
        ? stderr
        : "..." + stderr.substring(stderr.length() - STDERR_TAIL_CHARS);
  }
}
