package io.layercake.cluster;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How this node takes part in a cluster, read from {@code layercake.cluster}.
 *
 * @param host the host other nodes reach this node on
 * @param port the Akka remoting port; 0 picks a free one (a node alone binds one on loopback)
 * @param seedNodes the remoting addresses to join, as {@code host:port}; empty forms a cluster of
 *     one (or lets Kubernetes bootstrap find the peers)
 * @param clustered whether this node may have peers: seed nodes or Kubernetes bootstrap
 * @param tls the cluster's TLS files, when remoting and node-to-node transfers are encrypted
 * @param internalPort the port of the mutually authenticated node-to-node listener (with TLS and
 *     peers only)
 * @param advertisedUrl the base URL of this node's registry API for other nodes and redirects
 * @param secret the shared secret of the internal endpoint; empty disables it
 * @param dataPlane how a non-owner node serves a blob
 * @param peerTimeout how long a peer request waits for response headers
 * @param peerMaxConnections connections kept to each other node
 * @param shutdownDeadline how long a stopping node lets in-flight responses finish
 * @param rejoinTimeout how long a node that its cluster downed only rejoins, never forming a
 *     cluster of its own
 * @param returningMemberWait how long fills wait for a member that left gracefully (its blobs are
 *     on its disk) before fetching its blobs from upstream; zero never waits
 */
public record ClusterSettings(String host, int port, List<String> seedNodes, boolean clustered,
    Optional<ClusterTls> tls, int internalPort, String advertisedUrl, String secret, DataPlane dataPlane,
    Duration peerTimeout, int peerMaxConnections, Duration shutdownDeadline, Duration rejoinTimeout,
    Duration returningMemberWait) {

  /** The actor system's name: every node of a cluster must use the same one. */
  public static final String SYSTEM_NAME = "layercake";

  /** The remoting port of a node with peers when none is configured. */
  public static final int DEFAULT_PORT = 25520;

  /** The node-to-node TLS port of a node with peers when none is configured. */
  public static final int DEFAULT_INTERNAL_PORT = 25521;

  private static final String AUTO = "auto";

  /** How a node that does not own a blob serves it. */
  public enum DataPlane {
    /** Stream it from the owner over the internal endpoint. */
    PROXY,
    /** Answer 307 with the owner's advertised URL. */
    REDIRECT
  }

  /** Reads and validates {@code layercake.cluster}; every error names its key. */
  public static ClusterSettings fromConfig(Config config) {
    String host = config.getString("layercake.cluster.host").trim();
    if (host.isEmpty()) {
      throw new IllegalArgumentException("layercake.cluster.host must not be empty");
    }
    List<String> seeds = parseSeedNodes(config.getString("layercake.cluster.seed-nodes"));
    boolean bootstrap = config.getBoolean("layercake.cluster.kubernetes-bootstrap");
    if (bootstrap && !seeds.isEmpty()) {
      throw new IllegalArgumentException("layercake.cluster.seed-nodes (LAYERCAKE_CLUSTER_SEED_NODES) must be"
          + " empty when layercake.cluster.kubernetes-bootstrap is on: bootstrap finds the peers itself");
    }
    boolean clustered = !seeds.isEmpty() || bootstrap;
    // A node alone needs remoting only to talk to itself: a free port on loopback, so that two
    // single nodes on one host never collide and nothing listens where no peer will ever call.
    Optional<Integer> configuredPort = port(config, "layercake.cluster.port");
    int port = configuredPort.orElse(clustered ? DEFAULT_PORT : 0);
    if (!clustered && configuredPort.isEmpty()) {
      host = "127.0.0.1";
    }
    String secret = config.getString("layercake.cluster.secret");
    if (clustered && secret.isEmpty()) {
      throw new IllegalArgumentException("layercake.cluster.secret (LAYERCAKE_CLUSTER_SECRET) must be set"
          + " when " + (bootstrap ? "layercake.cluster.kubernetes-bootstrap is on"
              : "layercake.cluster.seed-nodes names other nodes") + ": nodes authenticate blob transfers with it");
    }
    String tlsDir = config.getString("layercake.cluster.tls-dir").trim();
    Optional<ClusterTls> tls = tlsDir.isEmpty() ? Optional.empty()
        : Optional.of(ClusterTls.check(Path.of(tlsDir), "layercake.cluster.tls-dir"));
    int internalPort = port(config, "layercake.cluster.internal-port").orElse(DEFAULT_INTERNAL_PORT);
    if (tls.isPresent() && clustered && internalPort == 0) {
      throw new IllegalArgumentException("layercake.cluster.internal-port must be a fixed port: other nodes"
          + " learn it from the cluster membership when this node joins");
    }
    String advertised = config.getString("layercake.cluster.advertised-url").trim();
    boolean registryTls = !config.getString("layercake.http.tls.cert-file").isBlank();
    if (clustered && tls.isEmpty() && registryTls && advertised.isEmpty()) {
      // Peers would call https://<host>:<port>/internal/ and check the registry certificate
      // against the JDK's CAs and the host: an IP address, which public certificates never name.
      throw new IllegalArgumentException("layercake.cluster.tls-dir (LAYERCAKE_CLUSTER_TLS_DIR) must be set when"
          + " the registry port has HTTPS (layercake.http.tls) and the node has peers: nodes then talk over"
          + " their own mutually authenticated listener. (Or set layercake.cluster.advertised-url to an"
          + " https URL whose host name the registry certificate carries.)");
    }
    if (advertised.isEmpty()) {
      String scheme = registryTls ? "https" : "http";
      advertised = scheme + "://" + config.getString("layercake.cluster.host").trim() + ":"
          + config.getInt("layercake.http.port");
    }
    advertised = stripTrailingSlash(advertised);
    URI uri = URI.create(advertised);
    if (uri.getScheme() == null || uri.getHost() == null) {
      throw new IllegalArgumentException("layercake.cluster.advertised-url must be an absolute http(s) URL, got "
          + advertised);
    }
    DataPlane dataPlane;
    String mode = config.getString("layercake.cluster.data-plane").trim().toUpperCase(Locale.ROOT);
    try {
      dataPlane = DataPlane.valueOf(mode);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("layercake.cluster.data-plane must be proxy or redirect, got "
          + config.getString("layercake.cluster.data-plane"));
    }
    int peerConnections = config.getInt("layercake.cluster.peer-max-connections");
    if (peerConnections < 1 || peerConnections > 4096) {
      throw new IllegalArgumentException("layercake.cluster.peer-max-connections must be 1..4096, got "
          + peerConnections);
    }
    return new ClusterSettings(host, port, seeds, clustered, tls, internalPort, advertised, secret, dataPlane,
        SettingsChecks.positiveDuration(config, "layercake.cluster.peer-timeout"), peerConnections,
        SettingsChecks.positiveDuration(config, "layercake.cluster.shutdown-deadline"),
        SettingsChecks.positiveDuration(config, "layercake.cluster.rejoin-timeout"),
        SettingsChecks.nonNegativeDuration(config, "layercake.cluster.returning-member-wait"));
  }

  /** Whether nodes talk to each other over a separate, mutually authenticated TLS listener. */
  public boolean internalTls() {
    return tls.isPresent() && clustered;
  }

  /**
   * The base URL other nodes use for this node's internal endpoint: the TLS listener when there
   * is one, else the registry API's advertised URL.
   */
  public String internalUrl() {
    return internalTls() ? "https://" + hostForUrl(host) + ":" + internalPort : advertisedUrl;
  }

  private static String hostForUrl(String host) {
    return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** A port key: {@code auto} (empty) or 0..65535. */
  private static Optional<Integer> port(Config config, String key) {
    String text = config.getString(key).trim();
    if (text.equals(AUTO) || text.isEmpty()) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(text);
      if (port >= 0 && port <= 65535) {
        return Optional.of(port);
      }
    } catch (NumberFormatException e) {
      // Reported below, with the key.
    }
    throw new IllegalArgumentException(key + " must be auto or a port 0..65535, got \"" + text + "\"");
  }

  /** The Akka addresses of the seed nodes. */
  public List<String> seedAddresses() {
    return seedNodes.stream().map(s -> "akka://" + SYSTEM_NAME + "@" + s).toList();
  }

  /** Hides the secret. */
  @Override
  public String toString() {
    return "ClusterSettings[host=" + host + ", port=" + port + ", seedNodes=" + seedNodes
        + ", tls=" + tls.map(ClusterTls::dir).map(Path::toString).orElse("off")
        + ", advertisedUrl=" + advertisedUrl + ", secret=" + (secret.isEmpty() ? "none" : "****")
        + ", dataPlane=" + dataPlane + "]";
  }

  static List<String> parseSeedNodes(String text) {
    List<String> seeds = new ArrayList<>();
    for (String part : text.split(",")) {
      String seed = part.trim();
      if (seed.isEmpty()) {
        continue;
      }
      int colon = seed.lastIndexOf(':');
      if (colon <= 0 || !seed.substring(colon + 1).matches("[0-9]{1,5}")
          || Integer.parseInt(seed.substring(colon + 1)) > 65535
          || !seed.substring(0, colon).matches("[A-Za-z0-9.\\-]+|\\[[0-9a-fA-F:]+\\]")) {
        throw new IllegalArgumentException("layercake.cluster.seed-nodes must be a comma-separated host:port"
            + " list, got \"" + seed + "\"");
      }
      seeds.add(seed);
    }
    return List.copyOf(seeds);
  }

  private static String stripTrailingSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
