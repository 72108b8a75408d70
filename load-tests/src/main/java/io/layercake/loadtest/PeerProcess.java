package io.layercake.loadtest;

import io.layercake.testkit.ChildProcesses;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * A peer server the load tests start: stopped by its PID when closed, and bounded by {@code
 * timeout(1)} even if this JVM dies without closing it.
 */
final class PeerProcess implements Mirror {

  private static final Duration MAX_LIFETIME = Duration.ofHours(2);
  private static final Duration STARTUP = Duration.ofSeconds(30);

  private final String name;
  private final String url;
  private final Process process;

  private PeerProcess(String name, String url, Process process) {
    this.name = name;
    this.url = url;
    this.process = process;
  }

  /** Runs {@code command} in {@code dir}, logging to {@code dir/log}, until {@code url}/v2/ answers. */
  static PeerProcess start(String name, String url, List<String> command, Path dir) throws IOException {
    Path log = dir.resolve("log");
    Process process = ChildProcesses.start(command, MAX_LIFETIME, log, log, dir);
    try {
      HttpProbe.awaitAnswer(url + "/v2/", STARTUP, process);
    } catch (RuntimeException | AssertionError e) {
      ChildProcesses.stop(process);
      throw new IllegalStateException(name + " did not start (see " + log + "): " + e.getMessage(), e);
    }
    return new PeerProcess(name, url, process);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> urls() {
    return List.of(url);
  }

  @Override
  public OptionalLong pid() {
    return process.children().findFirst().map(child -> OptionalLong.of(child.pid()))
        .orElse(OptionalLong.of(process.pid()));
  }

  @Override
  public void close() {
    ChildProcesses.stop(process);
  }
}
