package io.layercake.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import io.layercake.cluster.ClusterSettings;
import io.layercake.cluster.PeerDirectory;
import io.layercake.http.HttpSettings;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a node's configuration: overrides from system properties, then the user's file
 * ({@code layercake serve --config FILE}, else the file {@code LAYERCAKE_CONFIG} or {@code
 * LAYERCAKE_CONFIG_FILE} names, else {@code -Dconfig.file}, else {@code application.conf}), then
 * layercake's Akka settings ({@code layercake-node.conf}), then every library's {@code
 * reference.conf}. A key under {@code layercake} that no setting reads is an error
 * ({@link UnknownKeys}).
 */
public final class NodeConfig {

  /** The environment variable naming the user's HOCON file, for images and units (no JVM flags). */
  public static final String CONFIG_VARIABLE = "LAYERCAKE_CONFIG";
  /** Its older name, still read. */
  public static final String CONFIG_FILE_VARIABLE = "LAYERCAKE_CONFIG_FILE";

  private NodeConfig() {}

  /**
   * The configuration a node started from the command line uses: {@code file} if given (from
   * {@code --config}), else the file the environment names, if any.
   */
  public static Config load(Optional<String> file) {
    return load(ConfigFactory.empty(), file.or(NodeConfig::fileFromEnvironment).orElse(null));
  }

  /** The same, with {@code overrides} on top of the user's file (used by tests). */
  public static Config load(Config overrides) {
    return load(overrides, fileFromEnvironment().orElse(null));
  }

  static Config load(Config overrides, String configFile) {
    ConfigFactory.invalidateCaches();
    Config user = overrides
        .withFallback(userFile(configFile))
        .withFallback(ConfigFactory.parseResources("layercake-node.conf"));
    Config loaded = ConfigFactory.load(user);
    UnknownKeys.check(loaded, ConfigFactory.defaultReference());
    return clusterSettingsForAkka(ClusterSettings.fromConfig(loaded), HttpSettings.fromConfig(loaded).shutdownDelay())
        .withFallback(loaded);
  }

  /** The file {@code LAYERCAKE_CONFIG} (or {@code LAYERCAKE_CONFIG_FILE}) names, if either is set. */
  private static Optional<String> fileFromEnvironment() {
    String current = System.getenv(CONFIG_VARIABLE);
    String older = System.getenv(CONFIG_FILE_VARIABLE);
    boolean hasCurrent = current != null && !current.isBlank();
    boolean hasOlder = older != null && !older.isBlank();
    if (hasCurrent && hasOlder && !current.equals(older)) {
      throw new IllegalArgumentException(CONFIG_VARIABLE + " (" + current + ") and " + CONFIG_FILE_VARIABLE
          + " (" + older + ") name different files: set one");
    }
    return hasCurrent ? Optional.of(current) : hasOlder ? Optional.of(older) : Optional.empty();
  }

  /**
   * The user's file: {@code configFile}, which must exist, if given; else {@code -Dconfig.file}
   * (or {@code config.resource}/{@code config.url}) as Typesafe Config reads it, else {@code
   * application.conf} if there is one.
   */
  private static Config userFile(String configFile) {
    if (configFile == null || configFile.isBlank()) {
      return ConfigFactory.defaultApplication();
    }
    if (System.getProperty("config.file") != null || System.getProperty("config.resource") != null
        || System.getProperty("config.url") != null) {
      throw new IllegalArgumentException("both -Dconfig.file (or config.resource, config.url) and --config, "
          + CONFIG_VARIABLE + " or " + CONFIG_FILE_VARIABLE + " name a configuration file: use one");
    }
    File file = new File(configFile);
    if (!file.isFile()) {
      throw new IllegalArgumentException("the configuration file " + configFile + " (--config, " + CONFIG_VARIABLE
          + " or " + CONFIG_FILE_VARIABLE + ") is not a readable file");
    }
    return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /**
   * Akka's own keys, derived from {@code layercake.cluster}: operators configure one place, in
   * layercake's words, and the remoting address, seed nodes and advertised URL always agree.
   */
  private static Config clusterSettingsForAkka(ClusterSettings cluster, Duration shutdownDelay) {
    Map<String, Object> akka = new HashMap<>();
    akka.put("akka.remote.artery.canonical.hostname", cluster.host());
    akka.put("akka.remote.artery.canonical.port", cluster.port());
    // Seed nodes are joined by cluster.SeedJoin, which decides their order; none in Akka's config.
    akka.put("akka.cluster.seed-nodes", List.of());
    cluster.tls().ifPresent(tls -> akka.putAll(tls.akkaSettings()));
    // Other nodes learn this node's registry URL, and where its internal endpoint listens, from
    // its roles, with no extra protocol.
    List<String> roles = new ArrayList<>();
    roles.add(PeerDirectory.URL_ROLE_PREFIX + cluster.advertisedUrl());
    if (cluster.internalTls()) {
      roles.add(PeerDirectory.INTERNAL_ROLE_PREFIX + cluster.internalUrl());
    }
    akka.put("akka.cluster.roles", roles);
    // On SIGTERM the node keeps serving for the shutdown delay, then lets in-flight responses run
    // until the shutdown deadline, all inside this phase.
    akka.put("akka.coordinated-shutdown.phases.service-requests-done.timeout",
        shutdownDelay.plus(cluster.shutdownDeadline()).plusSeconds(5).toMillis() + "ms");
    return ConfigFactory.parseMap(akka);
  }
}
