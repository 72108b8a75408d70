package io.layercake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The client files in {@code cluster-config/clients/} cover every registry layercake has a preset
 * for, plus Docker Hub, each pointing at the mirror. RegistryMatrixIntegrationTest pulls with the
 * registries.conf and the containerd hosts files; the k3s and BuildKit files configure the same
 * containerd resolver, so here they are checked for coverage.
 */
class ClientFilesTest {

  private static final Path CLIENTS = Path.of("..", "cluster-config", "clients");
  private static final String MIRROR = "layercake.example:5000";

  private static List<String> registries() {
    Config reference = ConfigFactory.defaultReference();
    List<String> hosts = new ArrayList<>(List.of("docker.io"));
    hosts.addAll(new TreeSet<>(reference.getObject("layercake.upstream-presets").keySet()));
    return hosts;
  }

  @Test
  void everyRegistry_hasAContainerdHostsFile_namingTheMirror() throws IOException {
    List<String> hosts = registries();
    try (Stream<Path> dirs = Files.list(CLIENTS.resolve("containerd").resolve("certs.d"))) {
      assertEquals(new TreeSet<>(hosts), new TreeSet<>(dirs.map(dir -> dir.getFileName().toString()).toList()));
    }
    for (String host : hosts) {
      String text = read(CLIENTS.resolve("containerd").resolve("certs.d").resolve(host).resolve("hosts.toml"));
      assertTrue(text.contains("[host.\"http://" + MIRROR + "\"]"), host);
      assertTrue(text.contains("capabilities = [\"pull\", \"resolve\"]"), host);
    }
  }

  @Test
  void everyRegistry_isMirroredInEachClientsFile() throws IOException {
    String registriesConf = read(CLIENTS.resolve("registries.conf"));
    String k3s = read(CLIENTS.resolve("registries.yaml"));
    String buildkit = read(CLIENTS.resolve("buildkitd.toml"));
    for (String host : registries()) {
      assertTrue(registriesConf.contains("prefix = \"" + host + "\""), "registries.conf: " + host);
      assertTrue(registriesConf.contains("location = \"" + MIRROR + "/" + host + "\""), "registries.conf: " + host);
      assertTrue(k3s.contains("  \"" + host + "\":\n    endpoint:\n      - \"http://" + MIRROR + "\""),
          "registries.yaml: " + host);
      assertTrue(buildkit.contains("[registry.\"" + host + "\"]\n  mirrors = [\"" + MIRROR + "\"]"),
          "buildkitd.toml: " + host);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
