package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSettingsTest {

  @TempDir Path dir;

  @Test
  void fromConfig_aloneWithAutoPort_freeLoopbackPort() {
    ClusterSettings settings = ClusterSettings.fromConfig(config(Map.of("layercake.cluster.host", "10.0.0.5")));
    assertEquals(0, settings.port());
    assertEquals("127.0.0.1", settings.host());
    assertFalse(settings.clustered());
    assertEquals("http://10.0.0.5:5000", settings.advertisedUrl(), "the advertised URL keeps the configured host");
  }

  @Test
  void fromConfig_withSeedsAndAutoPort_defaultPort() {
    ClusterSettings settings = ClusterSettings.fromConfig(config(Map.of(
        "layercake.cluster.host", "10.0.0.5",
        "layercake.cluster.seed-nodes", "10.0.0.5:25520,10.0.0.6:25520",
        "layercake.cluster.secret", "s")));
    assertEquals(ClusterSettings.DEFAULT_PORT, settings.port());
    assertEquals("10.0.0.5", settings.host());
    assertTrue(settings.clustered());
    assertFalse(settings.internalTls(), "no TLS: peers use the registry port");
    assertEquals(settings.advertisedUrl(), settings.internalUrl());
  }

  @Test
  void fromConfig_kubernetesBootstrap_defaultPort() {
    ClusterSettings settings = ClusterSettings.fromConfig(config(Map.of(
        "layercake.cluster.kubernetes-bootstrap", "on", "layercake.cluster.secret", "s")));
    assertEquals(ClusterSettings.DEFAULT_PORT, settings.port());
  }

  @Test
  void fromConfig_portSetAlone_isKept() {
    ClusterSettings settings = ClusterSettings.fromConfig(config(Map.of("layercake.cluster.port", "26000")));
    assertEquals(26000, settings.port());
  }

  @Test
  void fromConfig_badPort_namesTheKey() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> ClusterSettings.fromConfig(config(Map.of("layercake.cluster.port", "twenty"))));
    assertTrue(refused.getMessage().contains("layercake.cluster.port"), refused.getMessage());
  }

  @Test
  void fromConfig_tlsWithSeeds_internalListenerOnItsPort() throws Exception {
    ClusterSettings settings = ClusterSettings.fromConfig(config(Map.of(
        "layercake.cluster.host", "10.0.0.5",
        "layercake.cluster.seed-nodes", "10.0.0.5:25520",
        "layercake.cluster.secret", "s",
        "layercake.cluster.tls-dir", tlsDir("node-a").toString())));
    assertTrue(settings.internalTls());
    assertEquals("https://10.0.0.5:" + ClusterSettings.DEFAULT_INTERNAL_PORT, settings.internalUrl());
    assertEquals("tls-tcp", settings.tls().orElseThrow().akkaSettings().get("akka.remote.artery.transport"));
  }

  @Test
  void fromConfig_tlsDirMissingAFile_namesKeyAndFile() throws Exception {
    Path tls = tlsDir("node-a");
    Files.delete(tls.resolve("ca.crt"));
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ClusterSettings.fromConfig(
        config(Map.of("layercake.cluster.tls-dir", tls.toString()))));
    assertTrue(refused.getMessage().contains("layercake.cluster.tls-dir"), refused.getMessage());
    assertTrue(refused.getMessage().contains("ca.crt"), refused.getMessage());
  }

  @Test
  void fromConfig_certificateOfAnotherCa_isRefusedAtStart() throws Exception {
    Path tls = tlsDir("node-a");
    Files.copy(fixture("rsa.crt"), tls.resolve("ca.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ClusterSettings.fromConfig(
        config(Map.of("layercake.cluster.tls-dir", tls.toString()))));
    assertTrue(refused.getMessage().contains("does not chain to the CA"), refused.getMessage());
  }

  @Test
  void fromConfig_keyOfAnotherNode_isRefusedAtStart() throws Exception {
    Path tls = tlsDir("node-a");
    Files.copy(fixture("node-b.key"), tls.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ClusterSettings.fromConfig(
        config(Map.of("layercake.cluster.tls-dir", tls.toString()))));
    assertTrue(refused.getMessage().contains("does not belong to the certificate"), refused.getMessage());
  }

  @Test
  void fromConfig_registryHttpsInAClusterWithoutClusterTls_isRefused() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ClusterSettings.fromConfig(
        config(Map.of("layercake.cluster.seed-nodes", "10.0.0.5:25520", "layercake.cluster.secret", "s",
            "layercake.http.tls.cert-file", "/etc/tls.crt", "layercake.http.tls.key-file", "/etc/tls.key"))));
    assertTrue(refused.getMessage().contains("layercake.cluster.tls-dir"), refused.getMessage());
  }

  @Test
  void toString_hidesTheSecret() {
    ClusterSettings settings = ClusterSettings.fromConfig(config(Map.of(
        "layercake.cluster.seed-nodes", "127.0.0.1:25520", "layercake.cluster.secret", "very-secret")));
    assertFalse(settings.toString().contains("very-secret"), settings.toString());
  }

  private Path tlsDir(String node) throws Exception {
    Path tls = Files.createDirectories(dir.resolve(node));
    Files.copy(fixture(node + ".crt"), tls.resolve("tls.crt"));
    Files.copy(fixture(node + ".key"), tls.resolve("tls.key"));
    Files.copy(fixture("ca.crt"), tls.resolve("ca.crt"));
    return tls;
  }

  private static Path fixture(String name) throws URISyntaxException {
    return Path.of(ClusterSettingsTest.class.getResource("/io/layercake/tls/" + name).toURI());
  }

  private static Config config(Map<String, Object> values) {
    return ConfigFactory.parseMap(new HashMap<>(values)).withFallback(ConfigFactory.defaultReference()).resolve();
  }
}
