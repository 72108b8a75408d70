package io.layercake.testkit;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The configuration files with which users send a real client's {@code docker.io} pulls to a
 * mirror, written for a mirror and a Docker Hub stand-in that both listen on loopback.
 *
 * <p>Both forms keep a fallback location for when the mirror fails, as users write them; here that
 * fallback is the stand-in, never the real Docker Hub, so no test pull can leave 127.0.0.1. A test
 * that must prove the mirror served a pull checks the stand-in saw no request from the client.
 *
 * <ul>
 *   <li>containers-registries.conf(5), read by skopeo and podman: a {@code [[registry]]} for prefix
 *       {@code docker.io} located at the stand-in, with the mirror as its {@code
 *       [[registry.mirror]]}; both are {@code insecure}, which lets them speak plain HTTP.
 *   <li>containerd's hosts directory ({@code ctr --hosts-dir}, CRI's {@code config_path}): {@code
 *       docker.io/hosts.toml} with the stand-in as {@code server} and the mirror as the one {@code
 *       [host]}, allowed to pull and resolve. containerd adds {@code ?ns=docker.io} to every request
 *       it sends to such a host, so the mirror knows which registry is meant.
 * </ul>
 *
 * @param upstream {@code 127.0.0.1:PORT} of the Docker Hub stand-in
 * @param mirror {@code 127.0.0.1:PORT} of the mirror
 */
public record DockerHubMirrorConfig(String upstream, String mirror) {

  private static final Pattern LOOPBACK_HOST_PORT =
      Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}:\\d{1,5}");

  /** Validates that both are loopback {@code host:port} pairs. */
  public DockerHubMirrorConfig {
    checkLoopback("upstream", upstream);
    checkLoopback("mirror", mirror);
  }

  /**
   * The configuration for two plain-HTTP base URLs such as {@code http://127.0.0.1:5000}.
   *
   * @throws IllegalArgumentException if either is not an {@code http://} URL on loopback
   */
  public static DockerHubMirrorConfig of(String upstreamUrl, String mirrorUrl) {
    return new DockerHubMirrorConfig(authority(upstreamUrl), authority(mirrorUrl));
  }

  /**
   * Writes a containers-registries.conf(5) file: no short-name search, and {@code docker.io} at
   * the stand-in with the mirror tried first.
   *
   * @return {@code file}
   */
  public Path writeRegistriesConf(Path file) {
    String text = String.join("\n",
        "# written by io.layercake.testkit.DockerHubMirrorConfig",
        // an empty search list: a short name must never be tried against a registry on the internet
        "unqualified-search-registries = []",
        "",
        "[[registry]]",
        "prefix = \"docker.io\"",
        "location = \"" + upstream + "\"",
        "insecure = true",
        "",
        "[[registry.mirror]]",
        "location = \"" + mirror + "\"",
        "insecure = true",
        "");
    return TestFiles.write(file, text);
  }

  /**
   * Writes a containerd hosts directory holding {@code docker.io/hosts.toml}: the stand-in as
   * server, the mirror as the host to pull and resolve from.
   *
   * @return {@code dir}, the value for {@code ctr --hosts-dir}
   */
  public Path writeHostsDir(Path dir) {
    String text = String.join("\n",
        "# written by io.layercake.testkit.DockerHubMirrorConfig",
        "server = \"http://" + upstream + "\"",
        "",
        "[host.\"http://" + mirror + "\"]",
        "  capabilities = [\"pull\", \"resolve\"]",
        "");
    TestFiles.write(dir.resolve("docker.io").resolve("hosts.toml"), text);
    return dir;
  }

  private static String authority(String url) {
    URI uri = URI.create(url);
    if (!"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("expected a plain http:// URL, got " + url);
    }
    return uri.getAuthority();
  }

  private static void checkLoopback(String what, String hostPort) {
    if (hostPort == null || !LOOPBACK_HOST_PORT.matcher(hostPort).matches()) {
      throw new IllegalArgumentException(
          what + " must be a loopback 127.x.x.x:PORT, got " + hostPort);
    }
  }
}
