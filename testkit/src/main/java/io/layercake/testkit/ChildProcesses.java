package io.layercake.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Starts the third-party programs the end-to-end tests run (docker-registry, skopeo) so that none
 * outlives the test JVM.
 *
 * <p>Three layers of cleanup: callers stop their processes explicitly; a shutdown hook stops any
 * still running when the JVM exits normally; and each command runs under coreutils {@code timeout},
 * which ends it after a maximum lifetime even if the JVM was killed with SIGKILL and no hook ran.
 */
public final class ChildProcesses {

  private static final Path TIMEOUT = Path.of("/usr/bin/timeout");
  private static final Duration KILL_GRACE = Duration.ofSeconds(10);
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ChildProcesses::stopAll, "testkit-child-process-reaper"));
  }

  private ChildProcesses() {}

  /**
   * Starts {@code command} with stdin from /dev/null and stdout and stderr appended to the given
   * files (the same file for both is fine), limited to {@code maxLifetime}, and tracks it for the
   * shutdown hook.
   */
  public static Process start(
      List<String> command, Duration maxLifetime, Path stdout, Path stderr, Path workDir)
      throws IOException {
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(TIMEOUT)) {
      // SIGTERM at the deadline, SIGKILL 5 s later if that was ignored
      full.addAll(
          List.of(
              TIMEOUT.toString(), "-k", "5", Long.toString(Math.max(1, maxLifetime.toSeconds()))));
    }
    full.addAll(command);
    ProcessBuilder builder =
        new ProcessBuilder(full)
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    if (stdout.equals(stderr)) {
      builder
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()));
    } else {
      builder
          .redirectOutput(ProcessBuilder.Redirect.appendTo(stdout.toFile()))
          .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    }
    // settings in the environment would override the config files these tools are given
    builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
    Process process = builder.start();
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    return process;
  }

  /**
   * Stops {@code process} and its descendants: SIGTERM, then SIGKILL if they are still running
   * after a grace period. Returns once the process has exited.
   */
  public static void stop(Process process) {
    List<ProcessHandle> descendants = process.descendants().toList();
    descendants.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      descendants.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    LIVE.remove(process);
  }

  private static void stopAll() {
    for (Process process : List.copyOf(LIVE)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }
}
