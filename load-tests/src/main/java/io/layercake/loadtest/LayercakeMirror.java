package io.layercake.loadtest;

import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.NodeProcessCluster;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * layercake as users run it: each node its own JVM from the same classes as {@code
 * proxy-node/target/layercake.jar}, with the launcher's default JVM options, a fresh data
 * folder, and the simulated internet as Docker Hub. Three nodes form a cluster over loopback.
 */
final class LayercakeMirror implements Mirror {

  /**
   * The JVM options of {@code ./layercake} (see the launcher), so the report measures the
   * defaults users get.
   */
  static final List<String> JVM_OPTIONS = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:+ExitOnOutOfMemoryError");

  private final NodeProcessCluster cluster;
  private final NodeProcess single;
  private final String name;

  private LayercakeMirror(NodeProcessCluster cluster, NodeProcess single, String name) {
    this.cluster = cluster;
    this.single = single;
    this.name = name;
  }

  /** Starts {@code nodes} nodes with data under {@code dataRoot}; extra JVM options append. */
  static LayercakeMirror start(int nodes, Path dataRoot, String upstreamUrl, Map<String, Object> settings,
      List<String> extraJvmOptions) throws Exception {
    List<String> jvm = new ArrayList<>(JVM_OPTIONS);
    jvm.addAll(extraJvmOptions);
    String label = nodes == 1 ? "layercake" : "layercake (" + nodes + " nodes)";
    if (nodes == 1) {
      NodeProcess.Builder builder = NodeProcess.builder(dataRoot.resolve("node-0"), upstreamUrl);
      jvm.forEach(builder::jvmOption);
      return new LayercakeMirror(null, builder.properties(settings).start(), label);
    }
    return new LayercakeMirror(NodeProcessCluster.start(nodes, dataRoot, upstreamUrl, settings, jvm), null, label);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public List<String> urls() {
    return cluster != null ? cluster.urls() : List.of(single.url());
  }

  @Override
  public OptionalLong pid() {
    return single != null ? OptionalLong.of(single.pid()) : OptionalLong.of(cluster.node(0).pid());
  }

  /** The node's log, for a report of a failed run. */
  String logText() {
    return single != null ? single.logText() : cluster.node(0).logText();
  }

  @Override
  public void close() {
    if (cluster != null) {
      cluster.close();
    } else {
      single.close();
    }
  }
}
