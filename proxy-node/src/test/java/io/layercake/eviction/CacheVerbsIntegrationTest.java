package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.cli.LayercakeCli;
import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
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

/**
 * Acceptance 4: images, rmi, prune, pin and unpin against a running 3-node cluster, through the
 * {@code layercake} command as an operator runs it, and the admin API's refusals.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CacheVerbsIntegrationTest {

  private static final String TOKEN = "verbs-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  @TempDir static Path layers;
  private FakeRegistry upstream;
  private TestCluster cluster;
  private final Image redis7 = TestImage.singlePlatform(ImageFormat.DOCKER, 71, 300_000, 200_000);
  private final Image redis6 = TestImage.singlePlatform(ImageFormat.DOCKER, 61, 300_000);
  private Image nginx;

  @BeforeAll
  void start() {
    upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
    // Large enough that the socket buffers between the owner, the proxying node and the client
    // cannot hold it all: the owner is still streaming while the client pauses.
    nginx = TestImage.builder(ImageFormat.OCI, 81).largeLayer(100_000_000, layers).build();
    cluster = TestCluster.start(3, work, upstream.url(), Map.of("layercake.admin.token", TOKEN));
    FakeImages.publish(upstream, "library/redis", "7", redis7);
    FakeImages.publish(upstream, "library/redis", "6", redis6);
    FakeImages.publish(upstream, "library/nginx", "1", nginx);
  }

  @AfterAll
  void stop() {
    cluster.close();
    upstream.close();
  }

  @Test
  void verbs_acrossThreeNodes() throws Exception {
    EvictionIntegrationTest.pull(new RegistryClient(cluster.node(0).url()), "library/redis", "7", redis7);
    EvictionIntegrationTest.pull(new RegistryClient(cluster.node(1).url()), "library/redis", "6", redis6);
    EvictionIntegrationTest.pull(new RegistryClient(cluster.node(2).url()), "library/nginx", "1", nginx);
    awaitHeld(redis7);
    awaitHeld(redis6);
    awaitHeld(nginx);
    String url = cluster.node(1).url();
    Await.until(Duration.ofSeconds(30), "every node's keeper answers the listing", () ->
        images(url).path("nodes").asInt() == 3 && images(url).path("images").size() == 3);

    // images: a docker-style table whose columns line up.
    LayercakeCli.Output table = LayercakeCli.run("images", "--url", url);
    assertEquals(0, table.status(), table.err());
    String[] lines = table.out().split("\n");
    assertEquals(4, lines.length, table.out());
    String header = lines[0];
    assertTrue(header.startsWith("REPOSITORY"), table.out());
    for (String column : List.of("TAG", "IMAGE ID", "SIZE", "LAST PULLED", "PULLS")) {
      int at = header.indexOf(column);
      for (int i = 1; i < lines.length; i++) {
        assertTrue(lines[i].length() > at && lines[i].charAt(at) != ' ' && lines[i].charAt(at - 1) == ' ',
            "column " + column + " lines up in:\n" + table.out());
      }
    }
    assertTrue(table.out().contains("redis ") && table.out().contains("nginx "), table.out());
    assertTrue(table.out().contains(nginx.digest().substring(7, 19)), "IMAGE ID is 12 hex:\n" + table.out());
    assertTrue(table.out().matches("(?s).*\\b10\\dMB\\b.*"), "nginx is about 100MB:\n" + table.out());
    assertTrue(table.out().matches("(?s).*(\\d+ seconds? ago|Less than a second ago).*"), table.out());

    LayercakeCli.Output filtered = LayercakeCli.run("images", "--url", url, "--filter", "reference=redis*",
        "--format", "json");
    assertEquals(0, filtered.status(), filtered.err());
    // JSON lines, with docker's field names.
    List<String> jsonLines = filtered.out().lines().toList();
    assertEquals(2, jsonLines.size(), filtered.out());
    for (String line : jsonLines) {
      assertTrue(JSON.readTree(line).path("Repository").asText().equals("redis"), line);
    }

    // pin: rmi of a pinned image is refused.
    LayercakeCli.Output pinned = LayercakeCli.run("pin", "--url", cluster.node(2).url(), "redis:7");
    assertEquals(0, pinned.status(), pinned.err());
    assertEquals("Pinned: redis:7\n", pinned.out());
    LayercakeCli.Output refusedPinned = LayercakeCli.run("rmi", "--url", url, "redis:7");
    assertEquals(1, refusedPinned.status());
    assertEquals(1, refusedPinned.err().strip().lines().count(), refusedPinned.err());
    assertTrue(refusedPinned.err().contains("pinned"), refusedPinned.err());

    // rmi of an image being pulled is refused: a client holds the nginx layer's stream open.
    LargeBlob layer = nginx.largeBlobs().get(0);
    HttpResponse<InputStream> slow = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(cluster.node(0).url() + "/v2/library/nginx/blobs/" + layer.digest())).GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = slow.body();
    body.readNBytes(64 * 1024);
    LayercakeCli.Output refusedInUse = LayercakeCli.run("rmi", "--url", url, "nginx:1");
    assertEquals(1, refusedInUse.status());
    assertTrue(refusedInUse.err().contains("in use"), refusedInUse.err());
    long rest = body.transferTo(OutputStream.nullOutputStream());
    body.close();
    assertEquals(layer.size(), 64 * 1024 + rest);
    Await.until(Duration.ofSeconds(10), "the stream's lease released", () ->
        images(url).path("images").findValues("inUse").stream().noneMatch(JsonNode::asBoolean));

    // prune -a --dry-run lists the unpinned images; prune -a removes them and only them.
    LayercakeCli.Output dryRun = LayercakeCli.run("prune", "-a", "--dry-run", "--url", url);
    assertEquals(0, dryRun.status(), dryRun.err());
    assertTrue(dryRun.out().contains("untagged: redis:6") && dryRun.out().contains("untagged: nginx:1"), dryRun.out());
    assertFalse(dryRun.out().contains("redis:7"), dryRun.out());
    assertTrue(dryRun.out().contains("Total reclaimable space: 10"), dryRun.out());
    assertEquals(3, images(url).path("images").size(), "a dry run removes nothing");

    LayercakeCli.Output unconfirmed = LayercakeCli.run("prune", "--all", "--url", cluster.node(0).url());
    assertEquals(125, unconfirmed.status(), "prune -a off a terminal needs -f: " + unconfirmed.err());
    assertEquals(3, images(url).path("images").size(), "a refused prune removes nothing");
    LayercakeCli.Output pruned = LayercakeCli.run("prune", "--all", "-f", "--url", cluster.node(0).url());
    assertEquals(0, pruned.status(), pruned.err());
    assertTrue(pruned.out().startsWith("Deleted Images:\n"), pruned.out());
    assertTrue(pruned.out().contains("deleted: " + layer.digest()), pruned.out());
    assertTrue(pruned.out().contains("Total reclaimed space: 10"), pruned.out());
    assertEquals(1, images(url).path("images").size());
    assertNowhere(redis6);
    assertNowhere(nginx);
    awaitHeld(redis7);

    // unpin, then rmi removes the tag and every blob.
    LayercakeCli.Output unpinned = LayercakeCli.run("unpin", "--url", url, "docker.io/library/redis:7");
    assertEquals("Unpinned: redis:7\n", unpinned.out(), unpinned.err());
    LayercakeCli.Output removed = LayercakeCli.run("rmi", "--url", url, "redis:7");
    assertEquals(0, removed.status(), removed.err());
    assertTrue(removed.out().startsWith("Untagged: redis:7\n"), removed.out());
    assertEquals(1 + redis7.blobs().size() + 1, removed.out().lines().count(), removed.out());
    assertTrue(removed.out().contains("Deleted: " + redis7.digest()), removed.out());
    assertNowhere(redis7);
    assertEquals(0, images(url).path("images").size());

    LayercakeCli.Output missing = LayercakeCli.run("rmi", "--url", url, "redis:7");
    assertEquals(1, missing.status());
    assertTrue(missing.err().contains("No such image"), missing.err());
  }

  @Test
  void adminEndpoints_withoutToken_answer401() {
    RegistryClient client = new RegistryClient(cluster.node(2).url());
    String[][] endpoints = {
        {"GET", "/admin/images"}, {"POST", "/admin/rmi?image=redis"}, {"POST", "/admin/prune"},
        {"GET", "/admin/pins"}, {"POST", "/admin/pins?image=redis"}, {"DELETE", "/admin/pins?image=redis"},
        {"GET", "/admin/cluster"}};
    for (String[] endpoint : endpoints) {
      assertEquals(401, client.send(endpoint[0], endpoint[1]).statusCode(), endpoint[1]);
      assertEquals(401, client.send(endpoint[0], endpoint[1], "Authorization", "Bearer wrong").statusCode());
    }
    LayercakeCli.Output noToken = LayercakeCli.runWithoutToken("images", "--url", cluster.node(2).url());
    assertEquals(1, noToken.status());
    assertEquals(1, noToken.err().strip().lines().count(), noToken.err());
    assertTrue(noToken.err().contains("401"), noToken.err());
  }

  @Test
  void badInput_clearErrors() throws Exception {
    RegistryClient client = new RegistryClient(cluster.node(0).url());
    String[] badRequests = {"/admin/prune?until=soon", "/admin/prune?reference=%5Bx", "/admin/prune?bogus=1",
        "/admin/rmi?image=UPPER", "/admin/rmi", "/admin/prune?all=maybe"};
    for (String path : badRequests) {
      HttpResponse<byte[]> response = client.send("POST", path, "Authorization", "Bearer " + TOKEN);
      assertEquals(400, response.statusCode(), path + ": " + new String(response.body()));
      assertTrue(JSON.readTree(response.body()).path("errors").get(0).has("code"), path);
    }
    assertEquals(405, client.send("DELETE", "/admin/images", "Authorization", "Bearer " + TOKEN).statusCode());

    for (String[] args : new String[][] {
        {"images", "--bogus"}, {"prune", "--filter", "label=x"}, {"rmi"}, {"pin", "a", "b"},
        {"images", "--format", "yaml"}}) {
      List<String> withUrl = new java.util.ArrayList<>(List.of(args));
      withUrl.add("--url=" + cluster.node(0).url());
      LayercakeCli.Output output = LayercakeCli.run(withUrl.toArray(String[]::new));
      assertEquals(125, output.status(), String.join(" ", args));
      assertEquals(1, output.err().strip().lines().count(), output.err());
    }
    LayercakeCli.Output badName = LayercakeCli.run("rmi", "--url", cluster.node(0).url(), "Bad:Name:x");
    assertEquals(1, badName.status());
    assertEquals(1, badName.err().strip().lines().count(), badName.err());
    LayercakeCli.Output unreachable = LayercakeCli.run("images", "--url", "http://127.0.0.1:" + FreePorts.next());
    assertEquals(1, unreachable.status());
    assertTrue(unreachable.err().contains("cannot reach the node"), unreachable.err());
  }

  private JsonNode images(String url) {
    HttpResponse<byte[]> response = new RegistryClient(url).get("/admin/images", "Authorization", "Bearer " + TOKEN);
    try {
      return response.statusCode() == 200 ? JSON.readTree(response.body()) : JSON.createObjectNode();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private boolean heldAnywhere(String digest) {
    return cluster.nodes().stream().anyMatch(n -> n.node().store().find(Digest.parse(digest)).isPresent());
  }

  private void awaitHeld(Image image) {
    Await.until(Duration.ofSeconds(20), "every blob held on some node",
        () -> image.blobDigests().stream().allMatch(this::heldAnywhere));
  }

  private void assertNowhere(Image image) {
    for (String digest : image.blobDigests()) {
      assertFalse(heldAnywhere(digest), digest + " is gone from every node");
    }
    assertFalse(heldAnywhere(image.digest()), "the manifest is gone from every node");
  }
}
