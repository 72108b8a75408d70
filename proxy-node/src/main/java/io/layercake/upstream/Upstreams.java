package io.layercake.upstream;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import io.layercake.UpstreamName;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
      NodeMetrics.get(system).upstreamConfigured(UpstreamName.of(name));
      NodeMetrics.get(system).upstreamRateLimit(name,
          () -> client.rateLimit().limit().orElse(-1), () -> client.rateLimit().remaining().orElse(-1),
          () -> client.budgetState().ordinal());
      NodeMetrics.get(system).upstreamPullKinds(UpstreamName.of(name), List.of(PullKind.values()));
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
    return serving(ns).orElseThrow(() -> new OciException(ErrorCode.NAME_UNKNOWN,
        "registry not mirrored here", "ns=" + ns + " is not a configured upstream"));
  }

  /**
   * Where a registry request goes, from the repository name in its path and its {@code ?ns=}.
   * A first component that is a host names the upstream and is not part of the repository: the
   * form of podman's, CRI-O's and skopeo's prefix mirrors ({@code mirror:5000/ghcr.io}) and of
   * containerd with {@code override_path}. Docker Hub namespaces never contain a dot or a colon,
   * so no Docker Hub name is taken for a host. Otherwise {@code ?ns=} decides, as in
   * {@link #select}. A host that no upstream serves is a 404, which makes containerd try its
   * next host, and never a connection to it; except that a registry other than Docker Hub may
   * have a dot in a repository's first component ({@code my.team/app} on a private default
   * upstream), so for such an upstream that name stays whole and goes to it.
   */
  public Route route(String pathName, Optional<String> namespace) {
    int slash = pathName.indexOf('/');
    String first = slash < 0 ? "" : pathName.substring(0, slash);
    if (!isHost(first)) {
      return new Route(select(namespace), pathName);
    }
    Optional<UpstreamName> named = serving(first);
    if (named.isEmpty()) {
      UpstreamName chosen = select(namespace);
      if (!get(chosen).settings().dockerHubNames()) {
        return new Route(chosen, pathName);
      }
      throw new OciException(ErrorCode.NAME_UNKNOWN, "registry not mirrored here",
          first + " is not a configured upstream");
    }
    UpstreamName prefixed = named.get();
    if (namespace.isPresent() && !namespace.get().isEmpty() && !select(namespace).equals(prefixed)) {
      throw new OciException(ErrorCode.NAME_INVALID, "the path and ns= name different registries",
          "the path names " + first + ", ns=" + namespace.get());
    }
    return new Route(prefixed, pathName.substring(slash + 1));
  }

  /** A request's upstream, and the repository name within it as the client wrote it. */
  public record Route(UpstreamName upstream, String name) {}

  /** Whether a name's first component is a registry host (as docker's reference grammar decides). */
  static boolean isHost(String component) {
    return component.indexOf('.') >= 0 || component.indexOf(':') >= 0 || component.equals("localhost");
  }

  /** The upstream whose namespaces include {@code host}; host names compare without case. */
  private Optional<UpstreamName> serving(String host) {
    return byName.entrySet().stream()
        .filter(e -> e.getValue().settings().namespaces().stream().anyMatch(host::equalsIgnoreCase))
        .map(Map.Entry::getKey)
        .findFirst();
  }

  /** The repository name as the upstream knows it (Docker Hub adds {@code library/}). */
  public RepositoryName canonicalName(UpstreamName upstream, RepositoryName name) {
    return get(upstream).settings().dockerHubNames() ? name.normalizedForDockerHub() : name;
  }

  /**
   * {@link #canonicalName}, for a repository that the upstream's allow and deny lists let the
   * mirror serve; any other is a 404 before any upstream request.
   */
  public RepositoryName mirroredName(UpstreamName upstream, RepositoryName name) {
    RepositoryName canonical = canonicalName(upstream, name);
    if (!get(upstream).settings().mirrors(canonical.value())) {
      throw new OciException(ErrorCode.NAME_UNKNOWN, "repository not mirrored here",
          canonical.value() + " is not allowed for upstream " + upstream.value());
    }
    return canonical;
  }

  /**
   * The registry host an upstream's images are named with, the way docker names them: empty for
   * Docker Hub ({@code redis}, {@code org/app}) and for a default upstream clients name by no
   * host; else the first of its namespaces ({@code ghcr.io/org/app}), so that the name leads back
   * to it; else its URL's host and port.
   */
  public Optional<String> registryOf(UpstreamName name) {
    UpstreamSettings settings = get(name).settings();
    if (settings.dockerHubNames() || (settings.namespaces().isEmpty() && name.equals(defaultName))) {
      return Optional.empty();
    }
    return Optional.of(settings.namespaces().isEmpty() ? settings.url().getRawAuthority()
        : settings.namespaces().get(0).toLowerCase(Locale.ROOT));
  }

  /**
   * The registry as people name it: Docker Hub's is {@code docker.io}, another is named by its
   * {@link #registryOf host}, and a default upstream clients name by no host by its entry's name.
   */
  public String registryName(UpstreamName upstream) {
    return registryOf(upstream).orElse(get(upstream).settings().dockerHubNames() ? "docker.io" : upstream.value());
  }

  /**
   * The name read rules match for {@code repository} (canonical, {@code library/redis}) of
   * {@code upstream}: the repository itself for Docker Hub's images, and with its registry's host
   * before it for another registry's ({@code ghcr.io/org/app}). So a rule for {@code org/*} does
   * not also open {@code ghcr.io/org/*}: the same name on two registries is two owners' content.
   */
  public String ruleName(UpstreamName upstream, String repository) {
    return registryOf(upstream).map(host -> host + "/" + repository).orElse(repository);
  }

  /** Every configured upstream's name, ordered by name. */
  public List<UpstreamName> names() {
    return List.copyOf(byName.keySet());
  }

  /** The default upstream's name. */
  public UpstreamName defaultName() {
    return defaultName;
  }
}
