package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.layercake.testkit.Await;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.RegistryClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes bootstrap without Kubernetes: the management endpoint on 127.0.0.1, and bootstrap's
 * discovery pointed at Akka's config discovery with no services, so it looks for peers, finds none
 * and sends nothing anywhere.
 */
class KubernetesBootstrapTest {

  @Test
  void startIfEnabled_off_startsNothing() throws IOException {
    int port = freeLoopbackPort();
    ActorTestKit kit = ActorTestKit.create("layercake", config(port, Map.of()));
    try {
      assertFalse(KubernetesBootstrap.startIfEnabled(kit.system()));
      assertFalse(kit.system().classicSystem().hasExtension(ClusterBootstrap.lookup()));
      assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    } finally {
      kit.shutdownTestKit();
    }
  }

  @Test
  void startIfEnabled_on_servesProbesUntilShutdown() throws Exception {
    int port = freeLoopbackPort();
    ActorTestKit kit = ActorTestKit.create("layercake", config(port, Map.of(
        "layercake.cluster.kubernetes-bootstrap", "on",
        "layercake.cluster.secret", "test-secret")));
    try {
      assertTrue(KubernetesBootstrap.startIfEnabled(kit.system()));
      assertTrue(kit.system().classicSystem().hasExtension(ClusterBootstrap.lookup()));

      assertEquals(200, get(port, "/alive"));
      // Bootstrap found no peers, so this node is no member yet: the kubelet must not send it traffic.
      assertEquals(500, get(port, "/ready"));

      Cluster cluster = Cluster.get(kit.system());
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      Await.until(Duration.ofSeconds(20), "/ready answers 200 once the node is Up",
          () -> get(port, "/ready") == 200);
    } finally {
      kit.shutdownTestKit();
    }
    assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
  }

  @Test
  void fromConfig_onWithSeedNodes_isRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterSettings.fromConfig(layercake(Map.of(
            "layercake.cluster.kubernetes-bootstrap", "on",
            "layercake.cluster.secret", "test-secret",
            "layercake.cluster.seed-nodes", "127.0.0.1:25521"))));
    assertTrue(e.getMessage().contains("layercake.cluster.seed-nodes"), e.getMessage());
  }

  @Test
  void fromConfig_onWithoutSecret_isRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ClusterSettings.fromConfig(layercake(Map.of(
            "layercake.cluster.kubernetes-bootstrap", "on"))));
    assertTrue(e.getMessage().contains("layercake.cluster.secret"), e.getMessage());
  }

  /** A cluster-provider actor system on loopback whose bootstrap can discover nobody. */
  private static Config config(int managementPort, Map<String, String> extra) {
    return ConfigFactory.parseMap(extra)
        .withFallback(ConfigFactory.parseString(String.join("\n",
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "akka.remote.artery.canonical.port = 0",
            "akka.management.http.hostname = \"127.0.0.1\"",
            "akka.management.http.port = " + managementPort,
            "akka.management.cluster.bootstrap.contact-point-discovery.discovery-method = config",
            "akka.discovery.config.services = {}",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "akka.loglevel = WARNING")))
        .withFallback(ConfigFactory.load());
  }

  private static Config layercake(Map<String, String> keys) {
    return ConfigFactory.parseMap(keys).withFallback(ConfigFactory.load());
  }

  private static int get(int port, String path) {
    return new RegistryClient("http://127.0.0.1:" + port).get(path).statusCode();
  }

  private static int freeLoopbackPort() {
    return FreePorts.next();
  }

}
