package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code layercake} command's verbs against a running node, as an operator runs them. */
class LayercakeCommandIntegrationTest {

  @TempDir Path dataDir;

  @Test
  void help_listsEveryVerb() {
    LayercakeCli.Output output = run(List.of("--help"), Map.of());
    assertEquals(0, output.status());
    for (String verb : List.of("serve", "cluster", "images", "rmi", "prune", "pin", "unpin", "version", "help")) {
      assertTrue(output.out().contains("  " + verb + " "), output.out());
    }
  }

  @Test
  void cluster_printsAlignedTableOfMembers() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.admin.token", "t0ken"))) {
      LayercakeCli.Output output = run(List.of("cluster", "--url", node.url()), Map.of("LAYERCAKE_ADMIN_TOKEN", "t0ken"));

      assertEquals(0, output.status(), output.err());
      String[] lines = output.out().split("\n");
      assertTrue(lines[0].startsWith("ADDRESS"), output.out());
      assertTrue(lines[1].contains("Up"), output.out());
      assertEquals(lines[0].indexOf("STATUS"), lines[1].indexOf("Up"), "columns line up:\n" + output.out());
    }
  }

  @Test
  void cluster_withoutToken_failsWithOneLine() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.admin.token", "t0ken"))) {
      LayercakeCli.Output output = run(List.of("cluster", "--url", node.url()), Map.of());

      assertEquals(1, output.status());
      assertEquals(1, output.err().strip().lines().count(), output.err());
      assertTrue(output.err().contains("401"), output.err());
    }
  }

  @Test
  void cluster_nodeUnreachable_failsWithOneLine() {
    LayercakeCli.Output output = run(List.of("cluster", "--url", "http://127.0.0.1:" + FreePorts.next()), Map.of());

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("cannot reach the node"), output.err());
  }

  @Test
  void serveCheckConfig_validFile_exitsZero_invalidOne_namesTheProblem_neitherStartsANode() throws Exception {
    Path good = java.nio.file.Files.writeString(dataDir.resolve("good.conf"), String.join("\n",
        "layercake.storage.data-dir = \"" + dataDir.resolve("never-created") + "\"",
        "layercake.upstreams.ghcr.preset = \"ghcr.io\"", ""));
    Path bad = java.nio.file.Files.writeString(dataDir.resolve("bad.conf"), String.join("\n",
        "layercake.upstreams.ghcr.preset = \"ghcr.example\"", ""));

    LayercakeCli.Output valid = run(List.of("serve", "--config", good.toString(), "--check-config"), Map.of());
    LayercakeCli.Output invalid = run(List.of("serve", "--config", bad.toString(), "--check-config"), Map.of());

    assertEquals(0, valid.status(), valid.err());
    assertTrue(valid.out().contains("the configuration is valid"), valid.out());
    assertEquals(1, invalid.status(), invalid.out());
    assertTrue(invalid.err().contains("layercake.upstreams.ghcr.preset"), invalid.err());
    assertTrue(!java.nio.file.Files.exists(dataDir.resolve("never-created")), "a check starts nothing");
  }

  private static LayercakeCli.Output run(List<String> args, Map<String, String> env) {
    return LayercakeCli.run(env, args.toArray(String[]::new));
  }
}
