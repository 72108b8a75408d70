package io.layercake.upstream;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.layercake.metrics.NodeMetrics;
import io.layercake.UpstreamName;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The configured upstreams, and the choice of one for a request. This is the whole list of hosts
 * the mirror will ever contact (plus the hosts they redirect to): a request can pick among them,
 * by containerd's {@code ?ns=}, but never name another.
 */
public final class Upstreams {

  private final Map<UpstreamName, UpstreamRegistry> byName = new LinkedHashMap<>();
  private final UpstreamName defaultName;

  /** Upstreams over already-created clients; {@code defaultName} must be one of them. */
  public Upstreams(Map<String, UpstreamRegistry> byName, String defaultName) {
    if (!byName.containsKey(defaultName)) {
      throw new IllegalArgumentException("layercake.default-upstream names \"" + defaultName
          + "\", which is not under layercake.upstreams (configured: " + byName.keySet() + ")");
    }
    byName.forEach((name, registry) -> {
      try {
        this.byName.put(UpstreamName.of(name), registry);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("layercake.upstreams." + name + ": " + e.getMessage(), e);
      }
    });
    this.defaultName = UpstreamName.of(defaultName);
  }

  /** Creates a client for every entry under {@code layercake.upstreams}. */
  public static Upstreams fromConfig(ActorSystem<?> system, Config config) {
    Map<String, UpstreamRegistry> clients = new LinkedHashMap<>();
    UpstreamSettings.allFromConfig(config).forEach((name, settings) -> {
      UpstreamRegistry client = UpstreamRegistry.create(system, settings);
      clients.put(name, client);
      NodeMetrics.get(system).upstreamRateLimit(name,
          () -> client.rateLimit().limit().orElse(-1), () -> client.rateLimit().remaining().orElse(-1));
    });
    return new Upstreams(clients, config.getString("layercake.default-upstream"));
  }

  /** The upstream called {@code name}. */
  public UpstreamRegistry get(UpstreamName name) {
    UpstreamRegistry registry = byName.get(name);
    if (registry == null) {
      throw new OciException(ErrorCode.NAME_UNKNOWN, "unknown upstream", name.value());
    }
    return registry;
  }

  /**
   * The upstream for a request's {@code ?ns=} value: absent means the default upstream; a value
   * no upstream serves is a clear 404, never an attempt to reach that host.
   */
  public UpstreamName select(Optional<String> namespace) {
    if (namespace.isEmpty() || namespace.get().isEmpty()) {
      return defaultName;
    }
    String ns = namespace.get();
    return byName.entrySet().stream()
        .filter(e -> e.getValue().settings().namespaces().contains(ns))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow(() -> new OciException(ErrorCode.NAME_UNKNOWN,
            "registry not mirrored here", "ns=" + ns + " is not a configured upstream"));
  }

  /** The repository name as the upstream knows it (Docker Hub adds {@code library/}). */
  public RepositoryName canonicalName(UpstreamName upstream, RepositoryName name) {
    return get(upstream).settings().dockerHubNames() ? name.normalizedForDockerHub() : name;
  }

  /** The default upstream's name. */
  public UpstreamName defaultName() {
    return defaultName;
  }
}
