package io.layercake.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A layercake node in a child JVM, started the way an operator starts one (the CLI's
 * {@code serve}, configured through LAYERCAKE_* variables), so that a test can {@code kill -9}
 * it or cap its heap.
 */
public final class NodeProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private NodeProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts a node on a free port and waits until {@code /v2/} answers. */
  public static NodeProcess start(Path dataDir, String upstreamUrl, String... jvmOptions)
      throws IOException {
    int port = freePort();
    Files.createDirectories(dataDir);
    Path log = Files.createTempFile("layercake-node-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.add("-Dakka.remote.artery.canonical.port=0");
    command.add("-Dlayercake.http.port=" + port);
    command.add("-Dlayercake.http.interface=127.0.0.1");
    command.add("-Dlayercake.storage.data-dir=" + dataDir);
    command.add("-Dlayercake.upstreams.docker-hub.url=" + upstreamUrl);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("io.layercake.cli.Layercake");
    command.add("serve");
    Process process = ChildProcesses.start(command, Duration.ofMinutes(10), log, log, dataDir);
    NodeProcess node = new NodeProcess(process, port, log);
    node.awaitReady();
    return node;
  }

  /** The registry API's base URL. */
  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Kills the node the hard way, like a power cut: no shutdown hook, no flush. */
  public void kill() throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor();
  }

  /** Whether the JVM is still running. */
  public boolean isAlive() {
    return process.descendants().anyMatch(ProcessHandle::isAlive) || process.isAlive();
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

  private void awaitReady() {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest ping = HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2)).build();
    try {
      Await.until(Duration.ofSeconds(60), "node on port " + port + " answering /v2/", () -> {
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
