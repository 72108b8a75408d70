package io.layercake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Debian's {@code podman} as a registry client, run as root but confined to a private work
 * directory: its own image store, run root and tmp directory, its own {@code containers.conf},
 * {@code storage.conf}, {@code policy.json} and {@code registries.conf}, and a clean environment
 * whose {@code HOME} and XDG directories lie in the work directory too.
 *
 * <p>The store uses the {@code vfs} driver, which needs no overlay support from the kernel, and
 * {@code cgroupfs} with file events, which need no systemd. Locks are files in the tmp directory
 * rather than the default shared memory segment {@code /dev/shm/libpod_lock}. The network backend
 * is CNI with a private, empty config and plugin directory: a pull never sets up a network, and
 * rootful netavark would keep its state in {@code /run/containers/networks}.
 *
 * <p>One thing stays global: containers/image's blob info cache, which root's podman 4.3 keeps in
 * {@code /var/lib/containers/cache} with no setting to move it. It only records where blobs were
 * seen, and skopeo run as root shares it.
 */
public final class Podman {

  /** Where Debian's package installs the binary. */
  public static final Path BINARY = Path.of("/usr/bin/podman");

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What {@code podman image inspect} and the image store say about one pulled image.
   *
   * @param id the image ID: the hex of its config's digest
   * @param digest the digest podman records for the image (of the manifest it resolved)
   * @param repoDigests the {@code name@digest} references podman records for it
   * @param diffIds the uncompressed layer digests ({@code RootFS.Layers}), base layer first
   */
  public record StoredImage(String id, String digest, List<String> repoDigests,
      List<String> diffIds) {}

  private final Path workDir;
  private final Path registriesConf;
  private final Duration timeout;

  private Podman(Path workDir, Path registriesConf, Duration timeout) {
    this.workDir = workDir;
    this.registriesConf = registriesConf;
    this.timeout = timeout;
  }

  /** Whether the podman binary is installed. */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  /**
   * A podman confined to {@code workDir}, resolving registries through {@code registriesConf}
   * (containers-registries.conf(5)), each command limited to {@code timeout}. Writes the private
   * configuration files; the store is created by the first command.
   */
  public static Podman create(Path workDir, Path registriesConf, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    Podman podman = new Podman(workDir.toAbsolutePath(), registriesConf.toAbsolutePath(), timeout);
    podman.writeConfig();
    return podman;
  }

  /** The image store: graph root of {@code vfs}. */
  public Path storageRoot() {
    return workDir.resolve("root");
  }

  /**
   * Pulls {@code reference} (e.g. {@code docker.io/library/redis:7}) for {@code platform} into the
   * private store; mirrors and TLS follow the registries.conf.
   *
   * @throws IllegalStateException naming podman's stderr if the pull fails or times out
   */
  public void pull(String reference, Platform platform) {
    // --signature-policy is hidden in pull's help; no configuration key names the policy file
    run("pull", "--quiet", "--signature-policy", workDir.resolve("policy.json").toString(),
        "--platform", platform.toString(), reference);
  }

  /**
   * Pulls {@code reference} with extra {@code options} ({@code --creds}, {@code --cert-dir}, ...).
   *
   * @throws IllegalStateException naming podman's stderr if the pull fails or times out
   */
  public void pull(String reference, Platform platform, List<String> options) {
    List<String> args = new ArrayList<>(List.of("pull", "--quiet", "--signature-policy",
        workDir.resolve("policy.json").toString(), "--platform", platform.toString()));
    args.addAll(options);
    args.add(reference);
    run(args.toArray(String[]::new));
  }

  /** What podman stored for {@code reference}, pulled before. */
  public StoredImage inspect(String reference) {
    JsonNode image = readJson(run("image", "inspect", "--format", "json", reference).stdout()).get(0);
    if (image == null) {
      throw new IllegalStateException("podman image inspect " + reference + " printed no image");
    }
    return new StoredImage(
        image.path("Id").asText(),
        image.path("Digest").asText(),
        texts(image.path("RepoDigests")),
        texts(image.path("RootFS").path("Layers")));
  }

  /**
   * The digest of every layer blob as pulled (compressed), for each layer in the store. podman
   * shows only uncompressed layer digests; the store's layer index also keeps the digest of the blob
   * each layer was unpacked from, which is what a registry served.
   */
  public Set<String> storedLayerBlobDigests() {
    Path index = storageRoot().resolve("vfs-layers").resolve("layers.json");
    try {
      Set<String> digests = new LinkedHashSet<>();
      for (JsonNode layer : readJson(Files.readString(index, StandardCharsets.UTF_8))) {
        digests.add(layer.path("compressed-diff-digest").asText());
      }
      return digests;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read podman's layer index " + index, e);
    }
  }

  private BoundedCommand.Result run(String... args) {
    List<String> command = new ArrayList<>(List.of(
        BINARY.toString(),
        "--root", storageRoot().toString(),
        "--runroot", dir("runroot").toString(),
        "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs",
        "--events-backend", "file",
        "--tmpdir", dir("tmp").toString(),
        "--network-config-dir", dir("networks").toString()));
    command.addAll(List.of(args));
    return BoundedCommand.run(command, environment(), timeout, workDir);
  }

  private Map<String, String> environment() {
    return Map.of(
        "HOME", dir("home").toString(),
        "XDG_RUNTIME_DIR", dir("xdg-runtime").toString(),
        "XDG_CONFIG_HOME", dir("xdg-config").toString(),
        "XDG_DATA_HOME", dir("xdg-data").toString(),
        "TMPDIR", dir("tmp").toString(),
        "CONTAINERS_CONF", workDir.resolve("containers.conf").toString(),
        "CONTAINERS_STORAGE_CONF", workDir.resolve("storage.conf").toString(),
        "CONTAINERS_REGISTRIES_CONF", registriesConf.toString());
  }

  private void writeConfig() {
    try {
      for (String name : List.of("root", "runroot", "tmp", "home", "xdg-runtime", "xdg-config",
          "xdg-data", "networks", "cni-plugins")) {
        Files.createDirectories(dir(name));
      }
      Files.writeString(workDir.resolve("storage.conf"), String.join("\n",
          "[storage]",
          "driver = \"vfs\"",
          "graphroot = " + toml(storageRoot()),
          "runroot = " + toml(dir("runroot")),
          ""));
      Files.writeString(workDir.resolve("containers.conf"), String.join("\n",
          "[engine]",
          "cgroup_manager = \"cgroupfs\"",
          "events_logger = \"file\"",
          "lock_type = \"file\"",
          "tmp_dir = " + toml(dir("tmp")),
          "",
          "[network]",
          "network_backend = \"cni\"",
          "network_config_dir = " + toml(dir("networks")),
          // podman checks that a plugin directory exists, though a pull runs no plugin
          "cni_plugin_dirs = [" + toml(dir("cni-plugins")) + "]",
          ""));
      Files.writeString(workDir.resolve("policy.json"),
          "{\"default\": [{\"type\": \"insecureAcceptAnything\"}]}\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write podman's configuration to " + workDir, e);
    }
  }

  private Path dir(String name) {
    return workDir.resolve(name);
  }

  private static String toml(Path path) {
    return "\"" + path.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(node -> texts.add(node.asText()));
    return texts;
  }

  private static JsonNode readJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse podman's JSON: " + text, e);
    }
  }
}
