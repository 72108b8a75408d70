package io.layercake.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

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
    return ConfigFactory.load(user);
  }
}
