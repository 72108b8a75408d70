package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

/**
 * Several layercake nodes, each in its own child JVM, forming one cluster over loopback: for tests
 * that {@code kill -9} a node, stop one with SIGTERM, or restart one on the same data folder and
 * the same ports. Every node lists every node as a seed, shares {@link #SECRET}, and
 * has the admin API on with {@link #ADMIN_TOKEN}.
 */
public final class NodeProcessCluster implements AutoCloseable {

  /** The cluster secret of the test clusters, in child JVMs and in the test JVM alike. */
  public static final String SECRET = "test-cluster-secret";

  /** The admin token of every node. */
  public static final String ADMIN_TOKEN = "process-cluster-admin";

  /** How long start-up waits for every node to see every other one Up. */
  private static final Duration FORMATION_TIMEOUT = Duration.ofSeconds(60);

  private final Path dataRoot;
  private final String upstreamUrl;
  private final Map<String, Object> properties;
  private final List<String> jvmOptions;
  private final int[] httpPorts;
  private final int[] remotingPorts;
  private final int[] internalPorts;
  private final NodeProcess[] nodes;

  private NodeProcessCluster(int size, Path dataRoot, String upstreamUrl, Map<String, Object> properties,
      List<String> jvmOptions) {
    this.dataRoot = dataRoot;
    this.upstreamUrl = upstreamUrl;
    this.properties = Map.copyOf(properties);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.httpPorts = new int[size];
    this.remotingPorts = new int[size];
    this.internalPorts = new int[size];
    this.nodes = new NodeProcess[size];
    for (int i = 0; i < size; i++) {
      httpPorts[i] = FreePorts.next();
      remotingPorts[i] = FreePorts.next();
      internalPorts[i] = FreePorts.next();
    }
  }

  /**
   * Starts {@code size} nodes at once, data in {@code dataRoot/node-<i>}, with {@code properties}
   * as extra configuration keys of every node, and waits until each reports {@code size} members
   * Up. The split brain resolver decides after 3 s of stable membership unless
   * {@code properties} says otherwise.
   */
  public static NodeProcessCluster start(int size, Path dataRoot, String upstreamUrl,
      Map<String, Object> properties) {
    // C1 only: a third less start-up time for three JVMs on a small machine; these tests move
    // tens of megabytes, not enough for C2's faster code to pay for its compile time.
    return start(size, dataRoot, upstreamUrl, properties, List.of("-Xmx384m", "-XX:TieredStopAtLevel=1"));
  }

  /** As {@link #start(int, Path, String, Map)}, with {@code jvmOptions} for every node's JVM. */
  public static NodeProcessCluster start(int size, Path dataRoot, String upstreamUrl,
      Map<String, Object> properties, List<String> jvmOptions) {
    NodeProcessCluster cluster =
        new NodeProcessCluster(size, dataRoot, upstreamUrl, properties, jvmOptions);
    // One thread per node: the JVMs start in parallel, and the common pool may have one thread.
    ExecutorService launcher = Executors.newFixedThreadPool(size);
    try {
      List<CompletableFuture<Void>> starts = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        int index = i;
        starts.add(CompletableFuture.runAsync(() -> cluster.launch(index), launcher));
      }
      // allOf completes only once every start has ended, so nothing is left starting after close.
      CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).join();
      cluster.awaitMembers(size, FORMATION_TIMEOUT);
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    } finally {
      launcher.shutdown();
    }
    return cluster;
  }

  /** The number of node slots, running or not. */
  public int size() {
    return nodes.length;
  }

  /** The node in slot {@code index}, or null if it was killed or stopped. */
  public NodeProcess node(int index) {
    return nodes[index];
  }

  /** The registry URL of slot {@code index}; it stays the same across restarts. */
  public String url(int index) {
    return "http://127.0.0.1:" + httpPorts[index];
  }

  /** The registry URLs of every slot, in slot order. */
  public List<String> urls() {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      urls.add(url(i));
    }
    return urls;
  }

  /** The seed list every node is started with, {@code host:port,...} of the remoting ports. */
  public String seedNodes() {
    return Arrays.stream(remotingPorts).mapToObj(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
  }

  /** The remoting port of slot {@code index}. */
  public int remotingPort(int index) {
    return remotingPorts[index];
  }

  /** The port of slot {@code index}'s node-to-node TLS listener (used with cluster TLS only). */
  public int internalPort(int index) {
    return internalPorts[index];
  }

  /** The data folder of slot {@code index}; it outlives the node's process. */
  public Path dataDir(int index) {
    return dataRoot.resolve("node-" + index);
  }

  /** {@code kill -9} of the node in slot {@code index}. */
  public void kill(int index) throws InterruptedException {
    nodes[index].kill();
    nodes[index] = null;
  }

  /** Marks slot {@code index} as stopped, once its process was ended another way (SIGTERM). */
  public void forget(int index) {
    nodes[index] = null;
  }

  /** Starts slot {@code index} again on the same data folder, HTTP port and remoting port. */
  public NodeProcess restart(int index) {
    if (nodes[index] != null) {
      throw new IllegalStateException("node " + index + " is still running");
    }
    launch(index);
    return nodes[index];
  }

  /** The {@code /admin/cluster} report of the node in slot {@code index}. */
  public ClusterReport report(int index) {
    return ClusterReport.fetch(url(index), ADMIN_TOKEN);
  }

  /**
   * Waits until every running node reports exactly {@code count} members, all Up, and answers
   * {@code /readyz} with 200.
   */
  public void awaitMembers(int count, Duration timeout) {
    Await.until(timeout, count + " members Up on every running node, each ready", () -> {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] != null
            && (!ClusterReport.tryFetch(url(i), ADMIN_TOKEN).map(r -> r.hasUpMembers(count)).orElse(false)
                || !nodes[i].ready())) {
          return false;
        }
      }
      return true;
    });
  }

  /** Stops every running node (SIGTERM, then SIGKILL after a grace period). */
  @Override
  public void close() {
    for (int i = 0; i < nodes.length; i++) {
      NodeProcess node = nodes[i];
      if (node != null) {
        node.close();
        nodes[i] = null;
      }
    }
  }

  private void launch(int index) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("layercake.cluster.port", remotingPorts[index]);
    settings.put("layercake.cluster.internal-port", internalPorts[index]);
    settings.put("layercake.cluster.seed-nodes", seedNodes());
    settings.put("layercake.cluster.secret", SECRET);
    settings.put("layercake.admin.token", ADMIN_TOKEN);
    settings.put("akka.cluster.split-brain-resolver.stable-after", "3s");
    settings.put("layercake.upstream-client.min-backoff", "20ms");
    settings.put("layercake.upstream-client.max-backoff", "100ms");
    settings.putAll(properties);
    try {
      NodeProcess.Builder builder = NodeProcess.builder(dataDir(index), upstreamUrl);
      jvmOptions.forEach(builder::jvmOption);
      nodes[index] = builder
          .httpPort(httpPorts[index])
          .properties(settings)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + index, e);
    }
  }
}
