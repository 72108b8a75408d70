package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.RequiredClient;
import io.layercake.testkit.Blob;
import io.layercake.testkit.Chromium;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /}: the status page of a node that has served a pull, as served and as Chromium draws it. */
class StatusPageIntegrationTest {

  /** The environment variable that makes a missing client (here: chromium) a failure instead of a skip. */
  private static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(60);
  private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  /** Where the screenshot is kept for people to look at. */
  private static final Path SCREENSHOTS = Path.of("target", "status-page");

  @TempDir Path dataDir;
  @TempDir Path browserDir;
  private FakeRegistry upstream;
  private TestNode node;
  private RegistryClient client;

  @BeforeEach
  void start() {
    upstream = FakeRegistry.start();
    node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.admin.token", "status-test-admin-token"));
    client = new RegistryClient(node.url());
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 11, 200_000);
    FakeImages.publish(upstream, "library/redis", "7", image);
    for (int i = 0; i < 3; i++) {
      assertEquals(200, client.get("/v2/library/redis/manifests/7").statusCode());
    }
    for (Blob blob : image.blobs()) {
      assertEquals(200, client.get("/v2/library/redis/blobs/" + blob.digest()).statusCode());
    }
  }

  @AfterEach
  void stop() {
    node.close();
    upstream.close();
  }

  @Test
  void statusPage_afterPulls_showsNodeTopTagAndNoEvictions() {
    HttpResponse<byte[]> response = client.get("/");
    String html = new String(response.body(), StandardCharsets.UTF_8);

    assertEquals(200, response.statusCode());
    assertEquals("text/html; charset=UTF-8", response.headers().firstValue("Content-Type").orElseThrow());
    assertTrue(response.headers().firstValue("Content-Security-Policy").orElseThrow().contains("default-src 'none'"));
    assertTrue(html.contains("(this node)"), html);
    assertTrue(html.contains("<td>redis:7</td><td>docker.io</td><td class=\"num\">3</td>"), "named as docker does: "
        + html);
    assertTrue(html.contains("<td>docker.io</td><td>docker-hub</td><td class=\"num\">1</td><td class=\"num\">3</td>"),
        "pulls by registry: " + html);
    assertTrue(html.contains("None yet."), html);
    assertTrue(html.contains("of 50.0 GiB"), "the default cap: " + html);
    assertFalse(html.contains("<script"), "the page needs no script");
    assertFalse(html.contains("status-test-admin-token"));
    assertEquals(200, client.get("/index.html").statusCode());
  }

  @Test
  void statusPage_inHeadlessChromium_rendersScreenshotAndDom() throws IOException {
    boolean installed = Chromium.isInstalled();
    RequiredClient.check("chromium", installed);
    Chromium chromium = Chromium.create(browserDir, BROWSER_TIMEOUT);
    Files.createDirectories(SCREENSHOTS);
    Path png = SCREENSHOTS.resolve("status-page.png").toAbsolutePath();
    Files.deleteIfExists(png);

    chromium.screenshot(node.url() + "/", png, 1280, 900);
    String dom = chromium.dumpDom(node.url() + "/");

    byte[] image = Files.readAllBytes(png);
    assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(image, PNG_SIGNATURE.length), "a PNG file");
    assertTrue(image.length > 20_000, "a screenshot of a drawn page, not a blank one: " + image.length + " bytes");
    assertTrue(dom.contains("(this node)"), dom);
    assertTrue(dom.contains("redis:7"), dom);
    assertTrue(dom.contains("<td class=\"num\">3</td>"), "three pulls of the tag: " + dom);
    assertTrue(dom.contains("None yet."), dom);
    System.out.println("status page screenshot: " + png);
  }
}
