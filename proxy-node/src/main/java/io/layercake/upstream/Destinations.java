package io.layercake.upstream;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/*
 * Implementation notes
 *
 * An upstream chooses where the mirror goes next: a redirect for a blob (Docker Hub's CDN), a
 * token realm in a 401 challenge. A compromised or spoofed upstream could point those at the
 * mirror's own network: a cloud metadata service (169.254.169.254), an admin port on loopback, or
 * plain HTTP where TLS was configured. So, besides the hosts the operator named in the upstream's
 * configuration (its URL, its auth-realms), which may be anything, the mirror follows only https
 * URLs, and never to a loopback, link-local, unspecified or multicast address unless the upstream
 * itself is on such an address (a registry on the same machine). Host names are checked as
 * written: resolving them here would not stop a name that resolves differently at connect time,
 * and the literal addresses are what such an attack needs.
 */

/** Which URLs an upstream may send the mirror to, beyond its own. */
final class Destinations {

  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private final Set<String> configuredHosts = new HashSet<>();
  private final boolean upstreamIsLocal;

  /** The destinations {@code settings}' upstream may send the mirror to. */
  Destinations(UpstreamSettings settings) {
    configuredHosts.add(host(settings.url()));
    settings.authRealms().forEach(realm -> configuredHosts.add(host(realm)));
    this.upstreamIsLocal = isLocal(host(settings.url()));
  }

  /** Why the mirror will not follow the upstream to {@code target}, or empty if it will. */
  Optional<String> refusal(URI target) {
    String host = host(target);
    if (configuredHosts.contains(host)) {
      return Optional.empty();
    }
    if (!"https".equalsIgnoreCase(target.getScheme())) {
      return Optional.of("it is not https, and its host is not in this upstream's configuration");
    }
    if (isLocal(host) && !upstreamIsLocal) {
      return Optional.of("it is a loopback, link-local or otherwise local address");
    }
    return Optional.empty();
  }

  private static String host(URI uri) {
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** Whether {@code host} names this machine or its link: localhost, or such an address literally. */
  static boolean isLocal(String host) {
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    if (!IPV4.matcher(host).matches() && host.indexOf(':') < 0) {
      return false;
    }
    try {
      // A literal address: getByName parses it without asking DNS.
      InetAddress address = InetAddress.getByName(host);
      return address.isLoopbackAddress() || address.isLinkLocalAddress() || address.isAnyLocalAddress()
          || address.isMulticastAddress();
    } catch (UnknownHostException e) {
      return true;
    }
  }
}
