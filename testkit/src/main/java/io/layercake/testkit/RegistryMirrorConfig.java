package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client configuration that sends pulls from several registries (ghcr.io,
 * mcr.microsoft.com, ...) to one mirror, as the files in {@code cluster-config/clients/} do, for
 * a mirror and registry stand-ins that all listen on loopback.
 *
 * <ul>
 *   <li>containers-registries.conf(5), read by skopeo, podman and CRI-O: per registry a {@code
 *       [[registry]]} whose {@code [[registry.mirror]]} is the mirror with the registry's host as
 *       a path prefix ({@code mirror:5000/ghcr.io}), so the mirror receives {@code
 *       /v2/ghcr.io/<repository>/...}.
 *   <li>containerd's hosts directory: per registry {@code <host>/hosts.toml} with the mirror as
 *       its {@code [host]}. Plain, containerd adds {@code ?ns=<host>}; with {@code override_path},
 *       the host is {@code http://mirror/v2/<host>} and containerd uses that path as the API root.
 * </ul>
 *
 * <p>Each registry's own location (the fallback when the mirror fails) is its loopback stand-in,
 * never the real host, so no test pull can leave 127.0.0.1.
 *
 * @param mirror {@code 127.0.0.1:PORT} of the mirror
 * @param standIns each registry host (as users name it) and {@code 127.0.0.1:PORT} of its stand-in
 */
public record RegistryMirrorConfig(String mirror, Map<String, String> standIns) {

  /** Copies the map, sorted by host so the files are stable. */
  public RegistryMirrorConfig {
    standIns = new TreeMap<>(standIns);
  }

  /**
   * Writes a registries.conf with a prefix mirror per registry and no short-name search.
   *
   * @return {@code file}
   */
  public Path writeRegistriesConf(Path file) {
    List<String> lines = new ArrayList<>();
    lines.add("# written by io.layercake.testkit.RegistryMirrorConfig");
    lines.add("unqualified-search-registries = []");
    standIns.forEach((host, standIn) -> {
      lines.add("");
      lines.add("[[registry]]");
      lines.add("prefix = \"" + host + "\"");
      lines.add("location = \"" + standIn + "\"");
      lines.add("insecure = true");
      lines.add("");
      lines.add("[[registry.mirror]]");
      lines.add("location = \"" + mirror + "/" + host + "\"");
      lines.add("insecure = true");
    });
    lines.add("");
    return write(file, String.join("\n", lines));
  }

  /**
   * Writes a containerd hosts directory with one {@code hosts.toml} per registry.
   *
   * @param overridePath whether the mirror is addressed by path ({@code /v2/<host>}) rather than
   *     by containerd's {@code ?ns=}
   * @return {@code dir}, the value for {@code ctr --hosts-dir}
   */
  public Path writeHostsDir(Path dir, boolean overridePath) {
    standIns.forEach((host, standIn) -> {
      String mirrorHost = overridePath ? "http://" + mirror + "/v2/" + host : "http://" + mirror;
      List<String> lines = new ArrayList<>(List.of(
          "# written by io.layercake.testkit.RegistryMirrorConfig",
          "server = \"http://" + standIn + "\"",
          "",
          "[host.\"" + mirrorHost + "\"]",
          "  capabilities = [\"pull\", \"resolve\"]"));
      if (overridePath) {
        lines.add("  override_path = true");
      }
      lines.add("");
      write(dir.resolve(host).resolve("hosts.toml"), String.join("\n", lines));
    });
    return dir;
  }

  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
