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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The client configuration that sends pulls from several registries (ghcr.io,
 * mcr.microsoft.com, ...) to one mirror, for a mirror and registry stand-ins that all listen on
 * loopback. The files users install ({@code cluster-config/clients/}) are read and only their
 * addresses rewritten, so a test that pulls with them tests what users get.
 *
 * <ul>
 *   <li>containers-registries.conf(5), read by skopeo, podman and CRI-O: per registry a {@code
 *       [[registry]]} whose {@code [[registry.mirror]]} is the mirror with the registry's host as
 *       a path prefix ({@code mirror:5000/ghcr.io}), so the mirror receives {@code
 *       /v2/ghcr.io/<repository>/...}.
 *   <li>containerd's hosts directory: per registry {@code <host>/hosts.toml} with the mirror as
 *       its {@code [host]}, to which containerd adds {@code ?ns=<host>}; or, written here, with
 *       {@code override_path}: the host is {@code http://mirror/v2/<host>} and containerd uses
 *       that path as the API root.
 * </ul>
 *
 * <p>Each registry's own location (the fallback when the mirror fails) becomes its loopback
 * stand-in, never the real host, so no test pull can leave 127.0.0.1.
 *
 * @param mirror {@code 127.0.0.1:PORT} of the mirror
 * @param standIns each registry host (as users name it) and {@code 127.0.0.1:PORT} of its stand-in
 */
public record RegistryMirrorConfig(String mirror, Map<String, String> standIns) {

  /** The mirror's address in the shipped files, which users replace with their node's. */
  public static final String PLACEHOLDER = "layercake.example:5000";

  private static final Pattern LOCATION = Pattern.compile("^location = \"([^\"]+)\"$");
  private static final Pattern SERVER = Pattern.compile("^server = \"[^\"]+\"$", Pattern.MULTILINE);

  /** Copies the map, sorted by host so the files are stable. */
  public RegistryMirrorConfig {
    standIns = new TreeMap<>(standIns);
  }

  /**
   * Writes {@code shipped} (a registries.conf) to {@code file} with the mirror's address, and each
   * stand-in as its registry's own location.
   *
   * @return {@code file}
   * @throws IllegalStateException if {@code shipped} lacks a registry or its mirror
   */
  public Path rewriteRegistriesConf(Path shipped, Path file) {
    List<String> out = new ArrayList<>();
    String prefix = null;
    boolean inMirror = false;
    for (String line : read(shipped).split("\n", -1)) {
      if (line.equals("[[registry]]")) {
        prefix = null;
        inMirror = false;
      } else if (line.equals("[[registry.mirror]]")) {
        inMirror = true;
      } else if (line.startsWith("prefix = ")) {
        prefix = line.substring("prefix = ".length()).replace("\"", "");
      }
      Matcher location = LOCATION.matcher(line);
      if (location.matches() && !inMirror && standIns.containsKey(prefix)) {
        line = "location = \"" + standIns.get(prefix) + "\"";
      }
      out.add(line.replace(PLACEHOLDER, mirror));
    }
    String text = String.join("\n", out);
    for (String host : standIns.keySet()) {
      if (!text.contains("location = \"" + mirror + "/" + host + "\"")) {
        throw new IllegalStateException(shipped + " has no prefix mirror for " + host);
      }
    }
    return TestFiles.write(file, text);
  }

  /**
   * Copies each stand-in registry's {@code hosts.toml} from {@code shippedDir} (a certs.d
   * directory) to {@code dir}, with the mirror's address and the stand-in as server.
   *
   * @return {@code dir}, the value for {@code ctr --hosts-dir}
   */
  public Path rewriteHostsDir(Path shippedDir, Path dir) {
    standIns.forEach((host, standIn) -> {
      String text = read(shippedDir.resolve(host).resolve("hosts.toml"));
      if (!text.contains(PLACEHOLDER)) {
        throw new IllegalStateException(shippedDir.resolve(host) + "/hosts.toml does not name the mirror");
      }
      text = SERVER.matcher(text.replace(PLACEHOLDER, mirror)).replaceFirst("server = \"http://" + standIn + "\"");
      TestFiles.write(dir.resolve(host).resolve("hosts.toml"), text);
    });
    return dir;
  }

  /**
   * Writes a containerd hosts directory in which the mirror is addressed by path, {@code
   * [host."http://mirror/v2/<host>"]} with {@code override_path = true}, one per registry.
   *
   * @return {@code dir}, the value for {@code ctr --hosts-dir}
   */
  public Path writeOverridePathHostsDir(Path dir) {
    standIns.forEach((host, standIn) -> TestFiles.write(dir.resolve(host).resolve("hosts.toml"), String.join("\n",
        "# written by io.layercake.testkit.RegistryMirrorConfig",
        "server = \"http://" + standIn + "\"",
        "",
        "[host.\"http://" + mirror + "/v2/" + host + "\"]",
        "  capabilities = [\"pull\", \"resolve\"]",
        "  override_path = true",
        "")));
    return dir;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
