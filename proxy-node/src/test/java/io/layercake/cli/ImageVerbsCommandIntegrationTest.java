package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.Blob;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The image verbs of the {@code layercake} command against one running node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ImageVerbsCommandIntegrationTest {

  private static final String TOKEN = "verbs-token";

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

    LayercakeCommand.Result output = LayercakeCommand.run(env, "pull", "prewarm:1");

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

    LayercakeCommand.Result again = LayercakeCommand.run(env, "pull", "prewarm:1");
    assertEquals(0, again.status(), again.err());
    assertTrue(again.out().contains("Already exists"), again.out());
    assertTrue(again.out().contains("Status: Image is up to date for prewarm:1"), again.out());
  }

  @Test
  void pull_unknownTag_failsWithOneLine() {
    LayercakeCommand.Result output = LayercakeCommand.run(env, "pull", "nosuch:1");

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("404"), output.err());
  }

  @Test
  void pull_malformedReference_failsWithOneLine() {
    LayercakeCommand.Result output = LayercakeCommand.run(env, "pull", "Bad:Name:1");

    assertEquals(1, output.status());
    assertEquals(1, output.err().strip().lines().count(), output.err());
    assertTrue(output.err().contains("400"), output.err());
  }

  @Test
  void pull_unknownFlag_exits2() {
    LayercakeCommand.Result output = LayercakeCommand.run(env, "pull", "--bogus", "redis");

    assertEquals(2, output.status());
    assertTrue(output.err().contains("unknown option '--bogus'"), output.err());
  }

  private static List<String> layerIds(Image image) {
    return image.blobs().stream()
        .filter(b -> b.mediaType().contains("layer") || b.mediaType().contains("rootfs"))
        .map(b -> b.digest().substring("sha256:".length(), "sha256:".length() + 12))
        .toList();
  }
}
