package io.layercake.loadtest;

import io.layercake.testkit.TestFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives {@code cluster-config/netns-cluster}: nodes in their own network namespaces, a Docker Hub
 * stand-in behind a slow link, and the faults. Every verb runs the script and fails with its output
 * if the script does; the script, not this class, owns the namespaces, processes and rules.
 */
final class NetnsCluster implements AutoCloseable {

  private static final Duration VERB_TIMEOUT = Duration.ofMinutes(4);
  private static final Pattern ASSIGNMENT = Pattern.compile("^(\\w+)='([^']*)'$");

  private final Path script;
  private final Path dataDir;
  private final int nodes;
  private Map<String, String> env = Map.of();

  private NetnsCluster(Path root, int nodes) {
    this.script = root.resolve("cluster-config/netns-cluster");
    this.dataDir = root.resolve("data/netns-cluster");
    this.nodes = nodes;
  }

  /** Whether this machine can run it: root, and the script's tools on the PATH. */
  static String unavailableReason(Path root) {
    if (!"root".equals(System.getProperty("user.name"))) {
      return "it needs root (network namespaces)";
    }
    if (!Files.isExecutable(root.resolve("cluster-config/netns-cluster"))) {
      return "cluster-config/netns-cluster is missing";
    }
    for (String tool : List.of("ip", "iptables", "tc", "docker-registry", "skopeo", "openssl", "python3", "curl")) {
      if (Executables.find(tool).isEmpty()) {
        return tool + " is not installed";
      }
    }
    return null;
  }

  /**
   * Starts {@code nodes} nodes and {@code clients} client namespaces, the hub's link limited to
   * {@code hubRate} (a tc rate), on fresh data: a previous run's node folders are removed first.
   */
  static NetnsCluster start(Path root, int nodes, int clients, String hubRate) throws IOException {
    NetnsCluster cluster = new NetnsCluster(root, nodes);
    cluster.run("stop");
    deleteNodeData(cluster.dataDir);
    try {
      cluster.run("start", "--nodes", String.valueOf(nodes), "--clients", String.valueOf(clients),
          "--hub-rate", hubRate);
      cluster.env = parseEnv(cluster.run("env"));
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  int nodeCount() {
    return nodes;
  }

  /** Node {@code n}'s registry URL (1-based). */
  String nodeUrl(int n) {
    return env.get("NETNS_CLUSTER_NODES").split(" ")[n - 1];
  }

  /** Node {@code n}'s remoting address as members report it, {@code host:port}. */
  String remotingAddress(int n) {
    return java.net.URI.create(nodeUrl(n)).getHost() + ":25520";
  }

  List<String> nodeUrls() {
    return List.of(env.get("NETNS_CLUSTER_NODES").split(" "));
  }

  String adminToken() {
    return env.get("LAYERCAKE_ADMIN_TOKEN");
  }

  /** The hub's access log: one line per request, once its response is complete. */
  Path hubLog() {
    return dataDir.resolve("hub/registry.log");
  }

  Path nodeLog(int n) {
    return dataDir.resolve("node-" + n + ".log");
  }

  /** Pushes the image in skopeo's {@code dir:} layout at {@code layout} as {@code reference}. */
  void push(Path layout, String reference) throws IOException {
    run("push", "dir:" + layout, reference);
  }

  /** The command line that runs {@code command} in client namespace {@code k}. */
  List<String> inClient(int k, List<String> command) {
    List<String> line = new ArrayList<>(List.of(script.toString(), "client", String.valueOf(k)));
    line.addAll(command);
    return line;
  }

  /** Runs a fault verb: {@code partition 1,2/3}, {@code pause 2}, {@code slow 1 5mbps}, ... */
  String fault(String... verb) throws IOException {
    return run(verb);
  }

  String status() {
    try {
      return run("status");
    } catch (IOException | RuntimeException e) {
      return e.getMessage();
    }
  }

  private String run(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output;
    try {
      output = process.getInputStream().readAllBytes();
      if (!process.waitFor(VERB_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("netns-cluster " + String.join(" ", args) + " did not finish in " + VERB_TIMEOUT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IOException("interrupted", e);
    }
    String text = new String(output, StandardCharsets.UTF_8);
    // status exits 3 while a node is not ready: that is an answer, not a failure.
    if (process.exitValue() != 0 && !(args[0].equals("status") && process.exitValue() == 3)) {
      throw new IOException("netns-cluster " + String.join(" ", args) + " failed (" + process.exitValue() + "):\n" + text);
    }
    return text;
  }

  static Map<String, String> parseEnv(String text) {
    Map<String, String> values = new HashMap<>();
    for (String line : text.split("\n")) {
      Matcher matcher = ASSIGNMENT.matcher(line.strip());
      if (matcher.matches()) {
        values.put(matcher.group(1), matcher.group(2));
      }
    }
    if (!values.containsKey("NETNS_CLUSTER_NODES")) {
      throw new IllegalStateException("netns-cluster env printed no nodes:\n" + text);
    }
    return values;
  }

  private static void deleteNodeData(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      return;
    }
    try (var entries = Files.list(dataDir)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (name.startsWith("node-") || name.equals("hub")) {
          TestFiles.deleteRecursively(entry);
        }
      }
    }
  }

  /** Stops everything the script started and removes what it made. */
  @Override
  public void close() throws IOException {
    run("stop");
  }
}
