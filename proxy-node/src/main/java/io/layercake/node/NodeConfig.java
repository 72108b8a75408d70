package io.layercake.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.layercake.cluster.ClusterSettings;
import io.layercake.cluster.PeerDirectory;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a node's configuration: overrides from system properties, then the user's file
 * ({@code application.conf} or {@code -Dconfig.file}), then layercake's Akka settings
 * ({@code layercake-node.conf}), then every library's {@code reference.conf}.
 */
public final class NodeConfig {

  private NodeConfig() {}

  /** The configuration a node started from the command line uses. */
  public static Config load() {
    return load(ConfigFactory.empty());
  }

  /** The same, with {@code overrides} on top of the user's file (used by tests). */
  public static Config load(Config overrides) {
    ConfigFactory.invalidateCaches();
    Config user = overrides
        .withFallback(ConfigFactory.defaultApplication())
        .withFallback(ConfigFactory.parseResources("layercake-node.conf"));
    Config loaded = ConfigFactory.load(user);
    return clusterSettingsForAkka(ClusterSettings.fromConfig(loaded)).withFallback(loaded);
  }

  /**
   * Akka's own keys, derived from {@code layercake.cluster}: operators configure one place, in
   * layercake's words, and the remoting address, seed nodes and advertised URL always agree.
   */
  private static Config clusterSettingsForAkka(ClusterSettings cluster) {
    Map<String, Object> akka = new HashMap<>();
    akka.put("akka.remote.artery.canonical.hostname", cluster.host());
    akka.put("akka.remote.artery.canonical.port", cluster.port());
    akka.put("akka.cluster.seed-nodes", cluster.seedAddresses());
    // Other nodes learn this node's registry URL from its role, with no extra protocol.
    akka.put("akka.cluster.roles", List.of(PeerDirectory.URL_ROLE_PREFIX + cluster.advertisedUrl()));
    // In-flight responses may run until the shutdown deadline before the node stops.
    akka.put("akka.coordinated-shutdown.phases.service-requests-done.timeout",
        cluster.shutdownDeadline().plusSeconds(5).toMillis() + "ms");
    return ConfigFactory.parseMap(akka);
  }
}
