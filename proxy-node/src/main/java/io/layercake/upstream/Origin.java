package io.layercake.upstream;

import java.net.URI;
import java.util.Locale;

/**
 * The scheme, host and port of a URL: the unit that decides whether an Authorization header may
 * go along. Comparing hosts alone is not enough, since two services on one host (a registry and a
 * CDN, or two test servers on 127.0.0.1) are different parties.
 *
 * @param scheme lower-case {@code http} or {@code https}
 * @param host lower-case host name or address
 * @param port the explicit port, or the scheme's default
 */
record Origin(String scheme, String host, int port) {

  /** The origin of an absolute http or https URL. */
  static Origin of(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    return new Origin(scheme, host, port);
  }

  /** Whether {@code uri} is an absolute http or https URL with a host. */
  static boolean isHttp(URI uri) {
    return uri.isAbsolute()
        && ("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        && uri.getHost() != null;
  }
}
