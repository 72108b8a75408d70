package io.layercake.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium, for tests of the HTML the node serves: a screenshot and the DOM
 * after parsing. Every run gets a fresh profile in {@code workDir}, runs under {@link
 * BoundedCommand} (a time limit, a clean environment), and may resolve no host name: only
 * 127.0.0.1 is reachable, so the browser's background services cannot go to the internet.
 */
public final class Chromium {

  /** Where Debian's {@code chromium} package installs the browser. */
  public static final Path BINARY = Path.of("/usr/bin/chromium");

  private final Path workDir;
  private final Duration timeout;

  private Chromium(Path workDir, Duration timeout) {
    this.workDir = workDir;
    this.timeout = timeout;
  }

  /** A browser that keeps its profile under {@code workDir} and stops each run at {@code timeout}. */
  public static Chromium create(Path workDir, Duration timeout) {
    return new Chromium(workDir, timeout);
  }

  /** Whether the chromium binary is installed. */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  /** Loads {@code url} in a window of {@code width} x {@code height} and saves it as PNG. */
  public void screenshot(String url, Path png, int width, int height) {
    run(List.of("--screenshot=" + png.toAbsolutePath(), "--window-size=" + width + "," + height, url));
    if (!Files.isRegularFile(png)) {
      throw new IllegalStateException("chromium exited without writing " + png);
    }
  }

  /** Loads {@code url} and returns the serialised DOM. */
  public String dumpDom(String url) {
    return run(List.of("--dump-dom", url)).stdout();
  }

  private BoundedCommand.Result run(List<String> arguments) {
    Path profile = workDir.resolve("chromium-profile");
    List<String> command = new ArrayList<>(List.of(BINARY.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        "--user-data-dir=" + profile.toAbsolutePath()));
    command.addAll(arguments);
    return BoundedCommand.run(command, Map.of("HOME", workDir.toAbsolutePath().toString()), timeout, workDir);
  }
}
