package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The image verbs of the {@code layercake} command against one running node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageVerbsCommandIntegrationTest {

  private static final String TOKEN = "verbs-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  private FakeRegistry upstream;
  private TestNode node;
  private Map<String, String> env;

  @BeforeAll
  void start() {
    upstream = FakeRegistry.start();
    node = TestNode.start(work.resolve("node"), upstream.url(), Map.of("layercake.admin.token", TOKEN));
    env = Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", node.url());
  }

  @AfterAll
  void stop() {
    node.close();
    upstream.close();
  }

  @Test
  void pull_coldImage_printsDockerLinesAndWarmsEveryBlob() {
    Image image = TestImage.builder(ImageFormat.DOCKER, 301).layer(300_000).layer(200_000).build();
    FakeImages.publish(upstream, "library/prewarm", "1", image);

    LayercakeCli.Output output = LayercakeCli.run(env, "pull", "prewarm:1");

    assertEquals(0, output.status(), output.err());
    String out = output.out();
    assertTrue(out.startsWith("1: Pulling from library/prewarm\n"), out);
    for (String layer : layerIds(image)) {
      assertTrue(out.contains(layer + ": Pull complete"), out);
    }
    assertTrue(out.contains("Digest: " + image.digest()), out);
    assertTrue(out.contains("Status: Downloaded newer image for prewarm:1"), out);
    Await.until(Duration.ofSeconds(10), "every blob committed", () -> image.blobs().stream()
        .allMatch(b -> node.node().store().find(Digest.parse(b.digest())).isPresent()));

    upstream.resetCounts();
    RegistryClient client = new RegistryClient(node.url());
    HttpResponse<byte[]> manifest = client.get("/v2/library/prewarm/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
    assertEquals(200, manifest.statusCode());
    for (Blob blob : image.blobs()) {
      assertEquals(200, client.get("/v2/library/prewarm/blobs/" + blob.digest()).statusCode());
    }
    assertEquals(List.of(), upstream.requests(), "a pull after the prewarm needs no upstream request");

    LayercakeCli.Output again = LayercakeCli.run(env, "pull", "prewarm:1");
    assertEquals(0, again.status(), again.err());
    assertTrue(again.out().contains("Already exists"), again.out());
    assertTrue(again.out().contains("Status: Image is up to date for prewarm:1"), again.out());
  }

  @Test
  void pull_unknownTag_failsWithOneLine() {
    LayercakeCli.Output output = LayercakeCli.run(env, "pull", "nosuch:1");

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("404"), output.err());
  }

  @Test
  void pull_malformedReference_failsWithOneLine() {
    LayercakeCli.Output output = LayercakeCli.run(env, "pull", "Bad:Name:1");

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("400"), output.err());
  }

  @Test
  void pull_unknownFlag_exits125() {
    LayercakeCli.Output output = LayercakeCli.run(env, "pull", "--bogus", "redis");

    assertEquals(125, output.status());
    assertTrue(output.err().contains("Unknown option: '--bogus'"), output.err());
  }

  @Test
  void inspectAndHistory_afterPull_printJsonAndTable() throws Exception {
    Image image = TestImage.builder(ImageFormat.OCI, 302).layer(50_000).build();
    FakeImages.publish(upstream, "team/inspected", "v1", image);
    assertEquals(0, LayercakeCli.run(env, "pull", "team/inspected:v1").status());

    LayercakeCli.Output inspected = LayercakeCli.run(env, "inspect", "team/inspected:v1");
    assertEquals(0, inspected.status(), inspected.err());
    JsonNode report = JSON.readTree(inspected.out());
    assertTrue(report.isArray(), inspected.out());
    assertEquals(image.digest(), report.path(0).path("digest").asText());
    assertEquals(node.url(), report.path(0).path("platforms").path(0).path("layers").path(0).path("nodes").path(0)
        .asText());

    LayercakeCli.Output history = LayercakeCli.run(env, "history", "team/inspected:v1");
    assertEquals(0, history.status(), history.err());
    String[] lines = history.out().split("\n");
    assertTrue(lines[0].matches("DIGEST +SINCE +LAST CONFIRMED +MEDIA TYPE +NODE"), history.out());
    assertTrue(lines[1].startsWith(image.digest()), history.out());
    assertTrue(lines[1].contains("ago"), history.out());
  }

  @Test
  void history_neverResolvedTag_saysSo() {
    LayercakeCli.Output history = LayercakeCli.run(env, "history", "never:seen");

    assertEquals(0, history.status(), history.err());
    assertTrue(history.out().startsWith("No history for never:seen"), history.out());
  }

  @Test
  void load_notATarFile_failsWithOneLine() throws Exception {
    Path file = work.resolve("not-a.tar");
    Files.writeString(file, "just text\n".repeat(200));

    LayercakeCli.Output output = LayercakeCli.run(env, "load", "-i", file.toString());

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("400 BLOB_UPLOAD_INVALID") || output.err().contains("400: BLOB_UPLOAD_INVALID"),
        output.err());
  }

  @Test
  void save_brokenOff_leavesNoFile() {
    Path target = work.resolve("never.tar");

    LayercakeCli.Output output = LayercakeCli.run(env, "save", "nosuch:1", "-o", target.toString());

    assertEquals(1, output.status());
    assertFalse(Files.exists(target));
    assertFalse(Files.exists(work.resolve("never.tar.part")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"pull redis", "save redis -o /tmp/x.tar", "load -i %s", "inspect redis", "history redis"})
  void everyVerb_withoutToken_failsWithOneLine401(String command) throws Exception {
    LayercakeCli.Output output = LayercakeCli.run(Map.of("LAYERCAKE_URL", node.url()), args(command));

    assertEquals(1, output.status(), output.out());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("401"), output.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pull redis", "save redis -o /tmp/x.tar", "load -i %s", "inspect redis", "history redis"})
  void everyVerb_nodeUnreachable_failsWithOneLine(String command) throws Exception {
    LayercakeCli.Output output = LayercakeCli.run(
        Map.of("LAYERCAKE_URL", "http://127.0.0.1:" + FreePorts.next()), args(command));

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("cannot reach the node"), output.err());
  }

  @ParameterizedTest
  @ValueSource(strings = {"pull", "pull a b", "save -o x.tar", "load", "load -i", "load extra -i x.tar",
      "inspect", "history a b", "save redis --platfrom all -o x.tar", "inspect -x redis", "history --all redis"})
  void badCommandLine_failsWithOneLine(String command) throws Exception {
    LayercakeCli.Output output = LayercakeCli.run(env, args(command));

    assertTrue(output.status() == 1 || output.status() == 125, command + " -> " + output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
  }

  @Test
  void help_listsTheImageVerbs() {
    LayercakeCli.Output output = LayercakeCli.run(Map.of(), "--help");

    for (String verb : List.of("pull", "save", "load", "inspect", "history")) {
      assertTrue(output.out().contains("  " + verb + " "), output.out());
    }
  }

  private String[] args(String command) throws Exception {
    Path archive = work.resolve("some.tar");
    if (!Files.exists(archive)) {
      Files.write(archive, new byte[1024]);
    }
    return String.format(command, archive).split(" ");
  }

  private static List<String> layerIds(Image image) {
    return image.blobs().stream()
        .filter(b -> b.mediaType().contains("layer") || b.mediaType().contains("rootfs"))
        .map(b -> b.digest().substring("sha256:".length(), "sha256:".length() + 12))
        .toList();
  }
}
