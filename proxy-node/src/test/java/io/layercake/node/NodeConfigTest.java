package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {

  @TempDir Path dir;

  @Test
  void load_configFileVariable_isTheUsersFile() throws Exception {
    Path file = Files.writeString(dir.resolve("node.conf"), "layercake.manifests.tag-ttl = 42s\n");
    Config config = NodeConfig.load(ConfigFactory.empty(), file.toString());
    assertEquals(42, config.getDuration("layercake.manifests.tag-ttl").toSeconds());
  }

  @Test
  void load_configFileVariableNamingNoFile_failsNamingIt() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(ConfigFactory.empty(), dir.resolve("missing.conf").toString()));
    assertTrue(refused.getMessage().contains(NodeConfig.CONFIG_VARIABLE), refused.getMessage());
    assertTrue(refused.getMessage().contains("missing.conf"), refused.getMessage());
  }

  @Test
  void load_misspelledKey_failsNamingItsFileAndTheKeyMeant() throws Exception {
    Path file = Files.writeString(dir.resolve("typo.conf"), "layercake.storage.max-szie = 10GiB\n");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(ConfigFactory.empty(), file.toString()));
    assertTrue(refused.getMessage().contains("layercake.storage.max-szie"), refused.getMessage());
    assertTrue(refused.getMessage().contains("typo.conf: 1"), refused.getMessage());
    assertTrue(refused.getMessage().contains("did you mean layercake.storage.max-size?"), refused.getMessage());
  }

  @Test
  void load_misspelledKeyInAnUpstreamEntry_namesTheEntrysKey() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
        () -> NodeConfig.load(ConfigFactory.parseString(
            "layercake.upstreams.ghcr { preset = \"ghcr.io\", credentials.pasword = x }"), null));
    assertTrue(refused.getMessage().contains(
        "layercake.upstreams.ghcr.credentials.pasword"), refused.getMessage());
    assertTrue(refused.getMessage().contains("did you mean layercake.upstreams.ghcr.credentials.password?"),
        refused.getMessage());
  }

  @Test
  void load_ownUpstreamEntriesAndAkkaBlocks_areKnown() {
    Config config = NodeConfig.load(ConfigFactory.parseString(String.join("\n",
        "layercake.upstreams.harbor { url = \"https://harbor.internal\", namespaces = [harbor.internal] }",
        "layercake.upstreams.quay.preset = \"quay.io\"",
        "layercake.blocking-io-dispatcher.thread-pool-executor.fixed-pool-size = 8",
        "layercake.persistence.journal.recovery-event-timeout = 60s")), null);
    assertEquals("https://harbor.internal", config.getString("layercake.upstreams.harbor.url"));
  }

  @Test
  void load_singleNode_remotingOnAFreeLoopbackPort() {
    Config config = NodeConfig.load(ConfigFactory.empty(), null);
    assertEquals(0, config.getInt("akka.remote.artery.canonical.port"));
    assertEquals("127.0.0.1", config.getString("akka.remote.artery.canonical.hostname"));
  }

  @Test
  void load_shutdownPhaseCoversDelayAndDeadline() {
    Config config = NodeConfig.load(ConfigFactory.parseString(
        "layercake.http.shutdown-delay = 5s\nlayercake.cluster.shutdown-deadline = 30s"), null);
    assertEquals(40, config.getDuration("akka.coordinated-shutdown.phases.service-requests-done.timeout").toSeconds());
  }
}
