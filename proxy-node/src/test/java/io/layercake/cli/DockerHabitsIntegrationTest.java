package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The habits a docker user brings to the command line: {@code --help} everywhere, {@code -q} and
 * JSON lines on listings, {@code save | load} through a pipe, a destructive prune that asks, and
 * status 125 for a command line the verb cannot run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DockerHabitsIntegrationTest {

  private static final String TOKEN = "habits-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> VERBS = List.of("serve", "cluster", "images", "rmi", "prune", "pin", "unpin",
      "pull", "save", "load", "inspect", "history", "version");

  @TempDir static Path work;
  private FakeRegistry upstream;
  private TestNode node;
  private Map<String, String> env;
  private Image image;

  @BeforeAll
  void start() {
    upstream = FakeRegistry.start();
    node = TestNode.start(work.resolve("node"), upstream.url(), Map.of("layercake.admin.token", TOKEN));
    env = Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", node.url());
    image = TestImage.builder(ImageFormat.OCI, 701).layer(400_000).layer(150_000).build();
    FakeImages.publish(upstream, "library/habits", "2", image);
    LayercakeCli.Output pulled = LayercakeCli.run(env, "pull", "habits:2");
    assertEquals(0, pulled.status(), pulled.err());
  }

  @AfterAll
  void stop() {
    node.close();
    upstream.close();
  }

  @Test
  void everyVerb_answersHelp() {
    for (String verb : VERBS) {
      for (String flag : List.of("--help", "-h")) {
        LayercakeCli.Output output = LayercakeCli.run(Map.of(), verb, flag);
        assertEquals(0, output.status(), verb + " " + flag + ": " + output.err());
        assertTrue(output.out().startsWith("Usage: layercake " + verb), verb + " " + flag + ":\n" + output.out());
      }
    }
    LayercakeCli.Output help = LayercakeCli.run(Map.of(), "help", "images");
    assertTrue(help.out().contains("--filter"), help.out());
  }

  @Test
  void images_quietPrintsIdsAndJsonLinesCarryDockersFields() throws Exception {
    LayercakeCli.Output table = LayercakeCli.run(env, "images");
    assertEquals(0, table.status(), table.err());
    String id = image.digest().substring("sha256:".length(), "sha256:".length() + 12);
    assertTrue(table.out().contains(id), table.out());

    LayercakeCli.Output quiet = LayercakeCli.run(env, "images", "-q");
    assertEquals(0, quiet.status(), quiet.err());
    assertEquals(id + "\n", quiet.out());

    LayercakeCli.Output json = LayercakeCli.run(env, "images", "--format", "json");
    assertEquals(0, json.status(), json.err());
    List<String> lines = json.out().lines().toList();
    assertEquals(1, lines.size(), json.out());
    JsonNode row = JSON.readTree(lines.get(0));
    assertEquals("habits", row.path("Repository").asText(), lines.get(0));
    assertEquals("2", row.path("Tag").asText());
    assertEquals(id, row.path("ID").asText());
    assertEquals(image.digest(), row.path("Digest").asText());
    assertTrue(table.out().contains(" " + row.path("Size").asText() + " "), "the table's size:\n" + table.out());

    LayercakeCli.Output cluster = LayercakeCli.run(env, "cluster", "--format", "json");
    JsonNode member = JSON.readTree(cluster.out().lines().findFirst().orElseThrow());
    assertEquals("Up", member.path("Status").asText(), cluster.out());
    assertEquals("true", member.path("Self").asText(), cluster.out());

    LayercakeCli.Output history = LayercakeCli.run(env, "history", "habits:2", "--format", "json");
    assertEquals(image.digest(), JSON.readTree(history.out().lines().findFirst().orElseThrow()).path("Digest").asText(),
        history.out());
  }

  @Test
  void saveToStdout_pipedIntoLoad_seedsAnotherNodeWithTheSameBytes() throws Exception {
    try (TestNode second = TestNode.start(work.resolve("second"), upstream.url(),
        Map.of("layercake.admin.token", TOKEN))) {
      PipedInputStream pipeIn = new PipedInputStream(256 * 1024);
      PipedOutputStream pipeOut = new PipedOutputStream(pipeIn);
      ByteArrayOutputStream saveErr = new ByteArrayOutputStream();
      // "layercake save habits:2 | layercake load": both ends run at once, as in a shell.
      CompletableFuture<Integer> save = CompletableFuture.supplyAsync(() -> {
        try (PrintStream out = new PrintStream(pipeOut, false)) {
          return Layercake.run(List.of("save", "habits:2"), new Invocation(new ByteArrayInputStream(new byte[0]),
              out, new PrintStream(saveErr, true, StandardCharsets.UTF_8), env, false));
        }
      });
      upstream.resetCounts();
      LayercakeCli.Output loaded = LayercakeCli.run(Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL",
          second.url()), pipeIn, false, "load");
      assertEquals(0, save.get(60, TimeUnit.SECONDS), saveErr.toString(StandardCharsets.UTF_8));
      assertEquals(0, loaded.status(), loaded.err());
      assertEquals("Loaded image: habits:2\n", loaded.out());

      RegistryClient client = new RegistryClient(second.url());
      HttpResponse<byte[]> manifest = client.get("/v2/library/habits/manifests/2", "Accept",
          MirrorClient.MANIFEST_ACCEPT);
      assertEquals(200, manifest.statusCode());
      assertArrayEquals(image.manifest().bytes(), manifest.body());
      for (Blob blob : image.blobs()) {
        HttpResponse<byte[]> body = client.get("/v2/library/habits/blobs/" + blob.digest());
        assertEquals(200, body.statusCode(), blob.digest());
        assertEquals(blob.digest(), RegistryClient.digestOf(body.body()));
      }
      assertEquals(List.of(), upstream.requests(), "the loaded node asked upstream for nothing");
    }
  }

  @Test
  void save_toATerminal_refuses_andLoad_onATerminal_drawsProgress() throws Exception {
    LayercakeCli.Output toScreen = LayercakeCli.run(env, new ByteArrayInputStream(new byte[0]), true, "save", "habits:2");
    assertEquals(125, toScreen.status());
    assertEquals(1, toScreen.err().strip().lines().count(), toScreen.err());
    assertEquals("", toScreen.out(), "nothing binary on the screen");

    Path archive = work.resolve("habits.tar");
    assertEquals(0, LayercakeCli.run(env, "save", "habits:2", "-o", archive.toString()).status());
    LayercakeCli.Output loaded = LayercakeCli.run(env, new ByteArrayInputStream(new byte[0]), true,
        "load", "-i", archive.toString());
    assertEquals(0, loaded.status(), loaded.err());
    String size = HumanSize.of(Files.size(archive));
    assertTrue(loaded.out().contains("Loading  [" + "=".repeat(50) + "] " + size + "/" + size + "\n"), loaded.out());
    assertTrue(loaded.out().endsWith("Loaded image: habits:2\n"), loaded.out());

    LayercakeCli.Output quiet = LayercakeCli.run(env, new ByteArrayInputStream(new byte[0]), true,
        "load", "-q", "-i", archive.toString());
    assertEquals("Loaded image: habits:2\n", quiet.out());
  }

  @Test
  void pruneAll_asksFirst_andRefusesWhereNobodyCanAnswer() throws Exception {
    LayercakeCli.Output script = LayercakeCli.run(env, "prune", "-a");
    assertEquals(125, script.status());
    assertEquals(1, script.err().strip().lines().count(), script.err());
    assertTrue(script.err().contains("-f"), script.err());

    LayercakeCli.Output declined = LayercakeCli.run(env, new ByteArrayInputStream("n\n".getBytes(StandardCharsets.UTF_8)),
        true, "prune", "-a");
    assertEquals(0, declined.status(), declined.err());
    assertTrue(declined.out().contains("Are you sure you want to continue? [y/N]"), declined.out());
    assertTrue(declined.out().endsWith("Total reclaimed space: 0B\n"), declined.out());
    assertEquals(1, LayercakeCli.run(env, "images", "-q").out().lines().count(), "nothing was pruned");
  }

  @Test
  void usageErrors_exit125_withOneLine() {
    for (String[] args : new String[][] {{"images", "--bogus"}, {"images", "--format", "yaml"}, {"rmi"},
        {"pin", "a", "b"}, {"load", "-i"}, {"nosuchverb"}, {"save"}, {"prune", "--filter", "label=x"}}) {
      LayercakeCli.Output output = LayercakeCli.run(env, args);
      assertEquals(125, output.status(), String.join(" ", args) + ": " + output.err());
      assertEquals(1, output.err().strip().lines().count(), output.err());
      assertTrue(output.err().contains("--help"), output.err());
    }
  }
}
