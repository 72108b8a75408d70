package io.layercake.testkit;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A layercake node in a child JVM, started the way an operator starts one (the CLI's
 * {@code serve}, configured through LAYERCAKE_* variables), so that a test can {@code kill -9}
 * it, stop it with SIGTERM, or cap its heap.
 *
 * <p>The child runs under coreutils {@code timeout} (see {@link ChildProcesses}), which forwards a
 * SIGTERM it receives and then sends SIGKILL a few seconds later. A graceful stop must therefore
 * signal the node's own JVM, never the wrapper: {@link #terminate()} does.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path log;
  private final SSLContext tls;

  private NodeProcess(Process process, int port, Path dataDir, Path log, SSLContext tls) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
    this.tls = tls;
  }

  /** Starts a node on a free port and waits until {@code /v2/} answers. */
  public static NodeProcess start(Path dataDir, String upstreamUrl, String... jvmOptions)
      throws IOException {
    Builder builder = builder(dataDir, upstreamUrl);
    for (String option : jvmOptions) {
      builder.jvmOption(option);
    }
    return builder.start();
  }

  /** A builder for a node with data in {@code dataDir}, pulling from {@code upstreamUrl}. */
  public static Builder builder(Path dataDir, String upstreamUrl) {
    return new Builder(dataDir, upstreamUrl);
  }

  /**
   * How to start a child node. By default it gets a free HTTP port and a free remoting port (a
   * cluster of one); {@link #property} adds or overrides any configuration key.
   */
  public static final class Builder {
    private final Path dataDir;
    private final String upstreamUrl;
    private final List<String> jvmOptions = new ArrayList<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private int httpPort;
    private SSLContext tls;

    private Builder(Path dataDir, String upstreamUrl) {
      this.dataDir = dataDir;
      this.upstreamUrl = upstreamUrl;
    }

    /** Adds a JVM option such as {@code -Xmx256m}. */
    public Builder jvmOption(String option) {
      jvmOptions.add(option);
      return this;
    }

    /**
     * Sets the configuration key {@code key} as a system property; it wins over the defaults this
     * class sets (the JVM keeps the last {@code -D} of a key).
     */
    public Builder property(String key, Object value) {
      properties.put(key, String.valueOf(value));
      return this;
    }

    /** Sets every entry of {@code values} as with {@link #property}. */
    public Builder properties(Map<String, ?> values) {
      values.forEach(this::property);
      return this;
    }

    /** Listens on this HTTP port instead of a free one (to restart a node on the same address). */
    public Builder httpPort(int port) {
      this.httpPort = port;
      return this;
    }

    /**
     * The node serves HTTPS (its certificate set through {@link #property}); the test talks to it
     * with {@code clientTls}, which must trust that certificate.
     */
    public Builder https(SSLContext clientTls) {
      this.tls = clientTls;
      return this;
    }

    /** Starts the node and waits until {@code /livez} answers. */
    public NodeProcess start() throws IOException {
      int port = httpPort > 0 ? httpPort : FreePorts.next();
      Files.createDirectories(dataDir);
      Path log = Files.createTempFile("layercake-node-", ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(jvmOptions);
      command.add("-Dlayercake.cluster.port=0");
      command.add("-Dlayercake.http.port=" + port);
      command.add("-Dlayercake.http.interface=127.0.0.1");
      command.add("-Dlayercake.storage.data-dir=" + dataDir);
      command.add("-Dlayercake.upstreams.docker-hub.url=" + upstreamUrl);
      properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
      command.add("-cp");
      command.add(absoluteClassPath());
      command.add("io.layercake.cli.Layercake");
      command.add("serve");
      Process process = ChildProcesses.start(command, Duration.ofMinutes(10), log, log, dataDir);
      NodeProcess node = new NodeProcess(process, port, dataDir, log, tls);
      node.awaitReady();
      if (!properties.containsKey("layercake.cluster.seed-nodes")) {
        // A node alone answers 503 for the moment it takes to form its cluster of one.
        Await.until(Duration.ofSeconds(60), "node on port " + port + " ready", node::ready);
      }
      return node;
    }
  }

  /**
   * The node JVM's process ID, for reading its memory use from {@code /proc}: the child of the
   * {@code timeout} wrapper that bounds its lifetime, or the process itself without a wrapper.
   */
  public long pid() {
    return process.children().findFirst().map(ProcessHandle::pid).orElse(process.pid());
  }

  /** This JVM's class path with absolute entries: the node runs in its data folder. */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The registry API's base URL. */
  public String url() {
    return (tls == null ? "http" : "https") + "://127.0.0.1:" + port;
  }

  /** An HTTP client for the node: one that trusts its certificate when it serves HTTPS. */
  public HttpClient client() {
    HttpClient.Builder client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    return (tls == null ? client : client.sslContext(tls)).build();
  }

  /** The registry API's port. */
  public int httpPort() {
    return port;
  }

  /** The node's data folder, which outlives the process. */
  public Path dataDir() {
    return dataDir;
  }

  /** Kills the node the hard way, like a power cut: no shutdown hook, no flush. */
  public void kill() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor();
  }

  /**
   * Sends SIGTERM to the node's JVM, as an orchestrator stopping it would, and returns at once.
   * The future completes with the time from the signal to the JVM's exit; it never completes if
   * the JVM does not exit, so callers bound their wait.
   */
  public CompletableFuture<Duration> terminate() {
    ProcessHandle jvm = jvm();
    long sent = System.nanoTime();
    CompletableFuture<Duration> exited = jvm.onExit()
        .thenApply(handle -> Duration.ofNanos(System.nanoTime() - sent));
    jvm.destroy();
    return exited;
  }

  /** Whether the JVM is still running. */
  public boolean isAlive() {
    return process.descendants().anyMatch(ProcessHandle::isAlive) || process.isAlive();
  }

  /** Whether the node answers {@code /readyz} with 200. */
  public boolean ready() {
    try {
      return client().send(HttpRequest.newBuilder(URI.create(url() + "/readyz"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The node's log, for failure messages. */
  public String logText() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    ChildProcesses.stop(process);
  }

  /** The node's own JVM: the wrapper's child when it runs under {@code timeout}, else the process. */
  private ProcessHandle jvm() {
    return process.children().findFirst().orElse(process.toHandle());
  }

  private void awaitReady() {
    HttpClient client = client();
    HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/livez")).timeout(Duration.ofSeconds(2)).build();
    try {
      Await.until(Duration.ofSeconds(60), "node on port " + port + " answering /livez", () -> {
        if (!isAlive()) {
          throw new AssertionError("node exited during start-up:\n" + logText());
        }
        try {
          return client.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      });
    } catch (AssertionError e) {
      close();
      throw e;
    }
  }


}
