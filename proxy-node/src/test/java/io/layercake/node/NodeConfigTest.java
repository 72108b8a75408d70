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
    assertTrue(refused.getMessage().contains(NodeConfig.CONFIG_FILE_VARIABLE), refused.getMessage());
    assertTrue(refused.getMessage().contains("missing.conf"), refused.getMessage());
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
