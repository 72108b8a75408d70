package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's {@code docker-registry} (CNCF distribution 2.8) as a child process on 127.0.0.1: a real
 * registry to stand in for Docker Hub in end-to-end tests.
 *
 * <p>Each instance owns a work directory with its config, its filesystem storage and one log file
 * that takes both the registry's messages and its access log, which {@link #requests()} parses so
 * tests can count what the mirror asked upstream for. {@link #stop()} keeps the storage and the
 * port, so a test can take "upstream" down and bring it back with {@link #restart()}.
 *
 * <pre>{@code
 * try (DebianRegistry upstream = new DebianRegistry().start()) {
 *   Skopeo.push(image, upstream.url(), "library/demo:1");
 *   ...
 *   assertEquals(1, upstream.countRequests("GET", "/v2/library/demo/blobs/sha256:.*"));
 * }
 * }</pre>
 */
public final class DebianRegistry implements AutoCloseable {

  /** Where Debian's package installs the binary. */
  public static final Path BINARY = Path.of("/usr/bin/docker-registry");

  /** How long {@link #start()} waits for the registry to accept connections. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  // backstop for a JVM killed without running its shutdown hooks
  private static final Duration MAX_LIFETIME = Duration.ofHours(2);
  private static final Duration POLL_INTERVAL = Duration.ofMillis(25);
  private static final int START_ATTEMPTS = 3;

  private final Path workDir;
  private final boolean ownsWorkDir;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private int port;
  private Process process;
  private boolean suspended;

  /** A registry in a fresh temporary work directory, deleted again by {@link #close()}. */
  public DebianRegistry() {
    this(createTempWorkDir(), true);
  }

  /** A registry keeping config, storage and log under {@code workDir}, which is left in place. */
  public DebianRegistry(Path workDir) {
    this(workDir, false);
  }

  private DebianRegistry(Path workDir, boolean ownsWorkDir) {
    this.workDir = workDir.toAbsolutePath();
    this.ownsWorkDir = ownsWorkDir;
  }

  /** Whether the docker-registry binary is installed. */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  /**
   * Starts the registry on a free loopback port and waits until it accepts connections.
   *
   * @return this, for chaining
   * @throws IllegalStateException if it is already running or does not come up; the message holds
   *     the end of the log
   */
  public synchronized DebianRegistry start() {
    if (isRunning()) {
      throw new IllegalStateException("docker-registry is already running on " + url());
    }
    // a port chosen by ServerSocket(0) can be taken by someone else before the registry binds it
    for (int attempt = 1; ; attempt++) {
      port = FreePorts.next();
      try {
        launch();
        return this;
      } catch (IllegalStateException e) {
        if (attempt == START_ATTEMPTS || !logTail().contains("address already in use")) {
          throw e;
        }
      }
    }
  }

  /**
   * Starts the registry again on the same port and storage, after {@link #stop()} or while it is
   * running (then it is stopped first). Everything pushed before is still there.
   *
   * @return this, for chaining
   */
  public synchronized DebianRegistry restart() {
    if (port == 0) {
      throw new IllegalStateException("restart() needs an earlier start()");
    }
    stop();
    launch();
    return this;
  }

  /**
   * Stops the process (SIGTERM, then SIGKILL after a grace period) and waits for it to exit. The
   * storage and the port number stay, so clients now get "connection refused" as from an upstream
   * that is down. Does nothing if it is not running.
   */
  public synchronized void stop() {
    if (process != null) {
      if (suspended) {
        // a stopped process would not act on SIGTERM until continued
        resume();
      }
      ChildProcesses.stop(process);
      process = null;
    }
  }

  /**
   * Freezes the registry process (SIGSTOP) without closing its port: connections are still accepted
   * by the kernel but never answered, like an upstream that hangs. Undo with {@link #resume()};
   * {@link #stop()} also works while suspended.
   */
  public synchronized void suspend() {
    signal("-STOP");
    suspended = true;
  }

  /**
   * Lets a {@link #suspend() suspended} registry run again (SIGCONT); it answers what queued up.
   */
  public synchronized void resume() {
    signal("-CONT");
    suspended = false;
  }

  /** Whether the registry process is alive. */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the registry and, if this instance created its work directory, deletes it. */
  @Override
  public void close() {
    stop();
    if (ownsWorkDir) {
      TestFiles.deleteRecursively(workDir);
    }
  }

  /** The base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://" + hostPort();
  }

  /**
   * {@code 127.0.0.1:PORT}, as used in image references such as {@code 127.0.0.1:PORT/library/x:1}.
   */
  public String hostPort() {
    return "127.0.0.1:" + port();
  }

  /** The port; chosen anew by each {@link #start()} and kept by {@link #restart()}. */
  public synchronized int port() {
    if (port == 0) {
      throw new IllegalStateException("docker-registry has not been started");
    }
    return port;
  }

  /** The filesystem storage root, which survives {@link #stop()}. */
  public Path storageDir() {
    return workDir.resolve("storage");
  }

  /** The registry's log: its own messages and one access log line per request, across restarts. */
  public Path logFile() {
    return workDir.resolve("registry.log");
  }

  /** The generated config file. */
  public Path configFile() {
    return workDir.resolve("config.yml");
  }

  /** Every request logged so far, oldest first, across restarts. */
  public List<RegistryRequest> requests() {
    return RegistryRequest.readLog(logFile());
  }

  /**
   * The number of logged requests with {@code method} (case-insensitive) whose path, without the
   * query string, matches {@code pathRegex} in full. A response is logged just after it is sent, so
   * right after a client finished use {@link #awaitRequests} rather than this.
   */
  public long countRequests(String method, String pathRegex) {
    Pattern path = Pattern.compile(pathRegex);
    return requests().stream()
        .filter(request -> request.method().equalsIgnoreCase(method))
        .filter(request -> path.matcher(request.path()).matches())
        .count();
  }

  /**
   * Waits until {@link #countRequests} reaches {@code atLeast} and returns the count then, or the
   * last count if {@code timeout} passed first; assert on the result.
   */
  public long awaitRequests(String method, String pathRegex, long atLeast, Duration timeout) {
    long[] count = new long[1];
    pollUntil(() -> (count[0] = countRequests(method, pathRegex)) >= atLeast, timeout);
    return count[0];
  }

  /**
   * Fetches a manifest the way a modern client does, accepting every manifest type, and checks the
   * {@code Docker-Content-Digest} header against the bytes.
   *
   * @param repository e.g. {@code library/redis}
   * @param reference a tag or a digest
   * @return the manifest with the media type from {@code Content-Type}
   */
  public Manifest fetchManifest(String repository, String reference) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url() + "/v2/" + repository + "/manifests/" + reference))
            .header("Accept", String.join(", ", MediaTypes.ALL_MANIFESTS))
            .timeout(Duration.ofSeconds(30))
            .GET()
            .build();
    try {
      HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET "
                + request.uri()
                + " answered "
                + response.statusCode()
                + ": "
                + new String(response.body(), StandardCharsets.UTF_8));
      }
      String contentType =
          response.headers().firstValue("Content-Type").orElse("").split(";")[0].trim();
      Manifest manifest = Manifest.of(contentType, response.body());
      String header = response.headers().firstValue("Docker-Content-Digest").orElse(null);
      if (!manifest.digest().equals(header)) {
        throw new IllegalStateException(
            "GET "
                + request.uri()
                + " sent Docker-Content-Digest "
                + header
                + " for bytes with digest "
                + manifest.digest());
      }
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: GET " + request.uri(), e);
    }
  }

  private void launch() {
    String listening = "listening on 127.0.0.1:" + port;
    long listeningBefore = countLogLines(listening);
    try {
      Files.createDirectories(storageDir());
      Files.writeString(configFile(), config());
      process =
          ChildProcesses.start(
              List.of(BINARY.toString(), "serve", configFile().toString()),
              MAX_LIFETIME,
              logFile(),
              logFile(),
              workDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + BINARY, e);
    }
    Process started = process;
    // our process must say it listens, else a stranger holding the port could pass the connect
    // check; and a TCP connect rather than an HTTP request keeps readiness out of the access log
    boolean ready =
        pollUntil(
                () ->
                    !started.isAlive()
                        || (countLogLines(listening) > listeningBefore && accepts(port)),
                STARTUP_TIMEOUT)
            && started.isAlive();
    if (!ready) {
      stop();
      throw new IllegalStateException(
          "docker-registry did not start on port "
              + port
              + "; log "
              + logFile()
              + " ends with:\n"
              + logTail());
    }
  }

  private void signal(String signal) {
    if (!isRunning()) {
      throw new IllegalStateException("docker-registry is not running");
    }
    // the process we started is the coreutils timeout wrapper; the registry is its child
    long pid = process.children().findFirst().map(ProcessHandle::pid).orElse(process.pid());
    try {
      Process kill = new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill " + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill " + signal, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending " + signal, e);
    }
  }

  private long countLogLines(String text) {
    if (!Files.exists(logFile())) {
      return 0;
    }
    try (Stream<String> lines = Files.lines(logFile(), StandardCharsets.UTF_8)) {
      return lines.filter(line -> line.contains(text)).count();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + logFile(), e);
    }
  }

  private String config() {
    // log.accesslog is on by default; the access log lines go to stdout, the rest to stderr
    return String.join(
        "\n",
        "# written by io.layercake.testkit.DebianRegistry",
        "version: 0.1",
        "log:",
        "  level: info",
        "  formatter: text",
        "  accesslog:",
        "    disabled: false",
        "storage:",
        "  filesystem:",
        "    rootdirectory: " + yamlQuote(storageDir().toString()),
        "  delete:",
        "    enabled: true",
        "  maintenance:",
        "    uploadpurging:",
        "      enabled: false",
        "http:",
        "  addr: 127.0.0.1:" + port,
        // a fixed secret silences the warning about a generated one; uploads never span instances
        "  secret: layercake-testkit",
        "");
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }



  /** Polls {@code condition} until it holds or {@code timeout} passes; returns whether it held. */
  private static boolean pollUntil(BooleanSupplier condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      LockSupport.parkNanos(POLL_INTERVAL.toNanos());
    }
    return true;
  }

  private static String yamlQuote(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  private static Path createTempWorkDir() {
    try {
      return Files.createTempDirectory("debian-registry-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a work directory", e);
    }
  }
}
