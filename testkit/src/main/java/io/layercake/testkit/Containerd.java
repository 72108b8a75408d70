package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private containerd daemon as a child process, and Debian's {@code ctr} to pull with it, for
 * end-to-end tests of containerd's mirror configuration.
 *
 * <p>The daemon keeps everything in its work directory: root, state and temp directories, and its
 * gRPC and ttrpc sockets. Only what content pulls need is loaded: CRI, task runtimes, the cgroup
 * monitor, tracing, the {@code /opt/containerd} plugin and every snapshotter but {@code native} are
 * disabled, so it neither runs containers nor touches the host's cgroups or containerd's default
 * paths. {@link #close()} stops it by its process ID: SIGTERM, then SIGKILL after a grace period.
 */
public final class Containerd implements AutoCloseable {

  /** Where Debian's package installs the daemon. */
  public static final Path DAEMON = Path.of("/usr/bin/containerd");

  /** Where Debian's package installs the command-line client. */
  public static final Path CTR = Path.of("/usr/bin/ctr");

  /** How long {@link #start} waits for the daemon to serve. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  // backstop for a JVM killed without running its shutdown hooks
  private static final Duration MAX_LIFETIME = Duration.ofHours(1);
  // sun_path holds 108 bytes; containerd also needs room for the ".ttrpc" socket next to it
  private static final int MAX_SOCKET_PATH = 100;
  private static final String BOOTED = "containerd successfully booted";
  private static final List<String> DISABLED_PLUGINS = List.of(
      "io.containerd.grpc.v1.cri",
      "io.containerd.grpc.v1.tasks",
      "io.containerd.service.v1.tasks-service",
      "io.containerd.runtime.v1.linux",
      "io.containerd.runtime.v2.task",
      "io.containerd.monitor.v1.cgroups",
      "io.containerd.internal.v1.opt",
      "io.containerd.internal.v1.restart",
      "io.containerd.internal.v1.tracing",
      "io.containerd.tracing.processor.v1.otlp",
      "io.containerd.snapshotter.v1.aufs",
      "io.containerd.snapshotter.v1.btrfs",
      "io.containerd.snapshotter.v1.devmapper",
      "io.containerd.snapshotter.v1.overlayfs",
      "io.containerd.snapshotter.v1.zfs");
  // ctr --http-dump logs each request through logrus: msg="GET /v2/... HTTP/1.1", then its headers
  private static final Pattern DUMPED_REQUEST_LINE =
      Pattern.compile("msg=\"(GET|HEAD|POST|PUT|PATCH|DELETE) (\\S+) HTTP/1\\.1\"");
  private static final Pattern DUMPED_HOST = Pattern.compile("msg=\"Host: (\\S+)\"");

  /**
   * One HTTP request ctr sent to a registry, as its {@code --http-dump} shows it.
   *
   * @param method e.g. {@code GET}
   * @param target the path and query string, e.g. {@code /v2/library/redis/manifests/7?ns=docker.io}
   * @param host the {@code Host} header: the registry's {@code host:port}
   */
  public record SentRequest(String method, String target, String host) {}

  private final Path workDir;
  private final Duration commandTimeout;
  private Process process;

  private Containerd(Path workDir, Duration commandTimeout) {
    this.workDir = workDir;
    this.commandTimeout = commandTimeout;
  }

  /** Whether both the daemon and ctr are installed. */
  public static boolean isInstalled() {
    return Files.isExecutable(DAEMON) && Files.isExecutable(CTR);
  }

  /**
   * Starts a daemon with everything under {@code workDir} and waits until it serves; each ctr
   * command later is limited to {@code commandTimeout}.
   *
   * @throws IllegalArgumentException if {@code workDir} is too long a path for a unix socket in it
   * @throws IllegalStateException if the daemon does not come up; the message holds its log's end
   */
  public static Containerd start(Path workDir, Duration commandTimeout) {
    if (commandTimeout.isNegative() || commandTimeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + commandTimeout);
    }
    Containerd containerd = new Containerd(workDir.toAbsolutePath(), commandTimeout);
    if (containerd.socket().toString().length() > MAX_SOCKET_PATH) {
      throw new IllegalArgumentException(
          "the socket path " + containerd.socket() + " is too long for a unix socket");
    }
    try {
      containerd.launch();
    } catch (RuntimeException | Error e) {
      containerd.close();
      throw e;
    }
    return containerd;
  }

  /** The daemon's gRPC socket, for {@code ctr -a}. */
  public Path socket() {
    return workDir.resolve("containerd.sock");
  }

  /** The daemon's log. */
  public Path logFile() {
    return workDir.resolve("containerd.log");
  }

  /**
   * Fetches all content of {@code reference} for {@code platform} into namespace {@code
   * namespace}, with registry hosts configured by the hosts directory {@code hostsDir} ({@code ctr
   * content fetch --hosts-dir}), and returns the HTTP requests ctr sent, in order.
   *
   * @param reference a fully qualified name such as {@code docker.io/library/redis:7}: ctr does not
   *     expand short names
   * @throws IllegalStateException naming ctr's stderr if the fetch fails or times out
   */
  public List<SentRequest> fetch(String namespace, String reference, Path hostsDir,
      Platform platform) {
    BoundedCommand.Result result = ctr(namespace, "content", "fetch",
        "--hosts-dir", hostsDir.toAbsolutePath().toString(),
        "--platform", platform.toString(),
        "--http-dump",
        reference);
    return sentRequests(result.stderr());
  }

  /** The digest of every blob in the content store of {@code namespace}. */
  public Set<String> contentDigests(String namespace) {
    Set<String> digests = new LinkedHashSet<>();
    for (String line : ctr(namespace, "content", "ls", "--quiet").stdout().split("\n")) {
      if (!line.isBlank()) {
        digests.add(line.trim());
      }
    }
    return digests;
  }

  /** Stops the daemon by its process ID and waits for it to exit; does nothing if it is not running. */
  @Override
  public synchronized void close() {
    if (process != null) {
      ChildProcesses.stop(process);
      process = null;
    }
  }

  private BoundedCommand.Result ctr(String namespace, String... args) {
    List<String> command = new ArrayList<>(
        List.of(CTR.toString(), "--address", socket().toString(), "--namespace", namespace));
    command.addAll(List.of(args));
    return BoundedCommand.run(command, Map.of("HOME", workDir.toString()), commandTimeout, workDir);
  }

  private synchronized void launch() {
    try {
      for (String name : List.of("root", "state", "tmp")) {
        Files.createDirectories(workDir.resolve(name));
      }
      Path config = workDir.resolve("config.toml");
      Files.writeString(config, config());
      // a clean environment: no proxy variables or CONTAINERD_* settings from the test JVM's
      List<String> command = List.of("/usr/bin/env", "-i", "PATH=" + BoundedCommand.PATH,
          "TMPDIR=" + workDir.resolve("tmp"), DAEMON.toString(), "--config", config.toString());
      process = ChildProcesses.start(command, MAX_LIFETIME, logFile(), logFile(), workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + DAEMON, e);
    }
    Process started = process;
    Await.until(STARTUP_TIMEOUT, "containerd serving on " + socket(), () -> {
      if (!started.isAlive()) {
        throw new IllegalStateException("containerd exited during start-up; log:\n" + logText());
      }
      return Files.exists(socket()) && logText().contains(BOOTED);
    });
  }

  private String config() {
    List<String> disabled = DISABLED_PLUGINS.stream().map(Containerd::toml).toList();
    return String.join("\n",
        "# written by io.layercake.testkit.Containerd",
        "version = 2",
        "root = " + toml(workDir.resolve("root").toString()),
        "state = " + toml(workDir.resolve("state").toString()),
        "temp = " + toml(workDir.resolve("tmp").toString()),
        "disabled_plugins = [" + String.join(", ", disabled) + "]",
        "",
        "[grpc]",
        "  address = " + toml(socket().toString()),
        "",
        "[ttrpc]",
        "  address = " + toml(socket() + ".ttrpc"),
        "",
        "[debug]",
        "  address = \"\"",
        "  level = \"info\"",
        "",
        "[metrics]",
        "  address = \"\"",
        "");
  }

  private String logText() {
    try {
      return Files.exists(logFile()) ? Files.readString(logFile(), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static List<SentRequest> sentRequests(String dump) {
    List<SentRequest> requests = new ArrayList<>();
    Matcher pending = null;
    for (String line : dump.split("\n")) {
      Matcher request = DUMPED_REQUEST_LINE.matcher(line);
      Matcher host = DUMPED_HOST.matcher(line);
      if (request.find()) {
        pending = request;
      } else if (pending != null && host.find()) {
        requests.add(new SentRequest(pending.group(1), pending.group(2), host.group(1)));
        pending = null;
      }
    }
    return requests;
  }

  private static String toml(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
