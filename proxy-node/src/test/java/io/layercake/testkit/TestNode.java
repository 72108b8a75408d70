package io.layercake.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.layercake.node.LayercakeNode;
import io.layercake.node.NodeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A layercake node in this JVM for integration tests: free ports, its own data folder, the given
 * upstream, and short timeouts so that fault tests finish quickly.
 */
public final class TestNode implements AutoCloseable {

  private final LayercakeNode node;
  private final Path dataDir;

  private TestNode(LayercakeNode node, Path dataDir) {
    this.node = node;
    this.dataDir = dataDir;
  }

  /** Starts a node with data in {@code dataDir}, pulling from {@code upstreamUrl}. */
  public static TestNode start(Path dataDir, String upstreamUrl) {
    return start(dataDir, upstreamUrl, Map.of());
  }

  /** The same, with extra configuration keys. */
  public static TestNode start(Path dataDir, String upstreamUrl, Map<String, Object> extra) {
    Map<String, Object> settings = new HashMap<>();
    settings.put("layercake.http.interface", "127.0.0.1");
    settings.put("layercake.http.port", FreePorts.next());
    settings.put("layercake.storage.data-dir", dataDir.toString());
    settings.put("layercake.upstreams.docker-hub.url", upstreamUrl);
    settings.put("layercake.upstream-client.min-backoff", "20ms");
    settings.put("layercake.upstream-client.max-backoff", "100ms");
    settings.put("layercake.cluster.port", 0);
    settings.put("akka.loglevel", "WARNING");
    settings.put("akka.coordinated-shutdown.run-by-jvm-shutdown-hook", "off");
    settings.putAll(extra);
    Config config = NodeConfig.load(ConfigFactory.parseMap(settings));
    TestNode node = new TestNode(LayercakeNode.start(config), dataDir);
    if (!settings.containsKey("layercake.cluster.seed-nodes")) {
      // A node alone answers 503 for the moment it takes to form its cluster of one; tests, like
      // a load balancer, wait until it is ready.
      Await.until(Duration.ofSeconds(60), "the node ready", () -> node.node().health().ready());
    }
    return node;
  }

  /** The registry API's base URL, e.g. {@code http://127.0.0.1:38211}. */
  public String url() {
    return "http://127.0.0.1:" + node.address().getPort();
  }

  /** The node's data folder. */
  public Path dataDir() {
    return dataDir;
  }

  /** The running node. */
  public LayercakeNode node() {
    return node;
  }

  @Override
  public void close() {
    node.close();
  }
}
