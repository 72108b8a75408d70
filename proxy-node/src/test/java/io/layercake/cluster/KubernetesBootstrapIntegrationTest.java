package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.Http;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.layercake.testkit.Await;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.RegistryClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three actor systems in this JVM form one cluster through Cluster Bootstrap alone, as three pods
 * do on Kubernetes: nobody joins anybody by hand. Akka's config discovery stands in for the
 * Kubernetes API and lists the three management endpoints on 127.0.0.1.
 */
class KubernetesBootstrapIntegrationTest {

  private static final int NODES = 3;

  private final List<ActorTestKit> kits = new ArrayList<>();

  @AfterEach
  void shutDown() {
    // Bootstrap's HTTP clients probe the other nodes; closing every pool first keeps a node that
    // stops from reporting its pools to a peer that already stopped as unexpected failures.
    kits.forEach(kit -> Http.get(kit.system()).shutdownAllConnectionPools().toCompletableFuture().join());
    kits.forEach(ActorTestKit::shutdownTestKit);
  }

  @Test
  void startIfEnabled_threeNodes_formOneClusterAndReportReady() throws IOException {
    List<Integer> managementPorts = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      managementPorts.add(freeLoopbackPort());
    }
    for (int port : managementPorts) {
      ActorTestKit kit = ActorTestKit.create(ClusterSettings.SYSTEM_NAME, config(port, managementPorts));
      kits.add(kit);
      assertTrue(KubernetesBootstrap.startIfEnabled(kit.system()));
    }

    Await.until(Duration.ofSeconds(60), "every node sees " + NODES + " members Up",
        () -> kits.stream().allMatch(kit -> upMembers(kit) == NODES));
    for (int port : managementPorts) {
      Await.until(Duration.ofSeconds(20), "/ready answers 200 on " + port, () -> ready(port) == 200);
    }
    assertEquals(1, kits.stream()
        .map(kit -> Cluster.get(kit.system()).state().getLeader())
        .collect(Collectors.toSet()).size(), "one cluster, one leader");
  }

  private static Config config(int managementPort, List<Integer> allManagementPorts) {
    String endpoints = allManagementPorts.stream()
        .map(port -> "{ host = \"127.0.0.1\", port = " + port + " }")
        .collect(Collectors.joining(", ", "[", "]"));
    return ConfigFactory.parseString(String.join("\n",
            "layercake.cluster.kubernetes-bootstrap = on",
            "layercake.cluster.secret = \"test-secret\"",
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
            "akka.remote.artery.canonical.port = 0",
            "akka.management.http.hostname = \"127.0.0.1\"",
            "akka.management.http.port = " + managementPort,
            "akka.management.cluster.bootstrap.contact-point-discovery {",
            "  discovery-method = config",
            "  service-name = \"layercake\"",
            "  required-contact-point-nr = " + NODES,
            "  stable-margin = 1s",
            "  interval = 300ms",
            "}",
            // All three share 127.0.0.1, so they differ by port only: keep every port, not just
            // the one equal to this node's own (which is what the filter would keep).
            "akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false",
            "akka.discovery.config.services.layercake.endpoints = " + endpoints,
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "akka.loglevel = WARNING"))
        .withFallback(ConfigFactory.load());
  }

  private static long upMembers(ActorTestKit kit) {
    return StreamSupport.stream(Cluster.get(kit.system()).state().getMembers().spliterator(), false)
        .filter(member -> member.status().equals(MemberStatus.up()))
        .count();
  }

  private static int ready(int port) {
    return new RegistryClient("http://127.0.0.1:" + port).get("/ready").statusCode();
  }

  private static int freeLoopbackPort() {
    return FreePorts.next();
  }

}
