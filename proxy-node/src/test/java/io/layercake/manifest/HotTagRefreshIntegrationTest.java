package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.Await;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.Manifest;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.Platform;
import io.layercake.testkit.PrometheusText;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Predictive refresh: five hot multi-platform tags move upstream. With refresh on, the tags'
 * owner finds each move before the TTL ends (a free HEAD), fetches the new index and its linux/amd64
 * child (the platform the fleet pulled, not arm64) and fills that image's blobs, so the fleet's
 * next pulls of the new images make no upstream blob GET at all. With it off, the same pulls are
 * cold: every new blob is fetched on the client's path. In a cluster, each tag is refreshed once,
 * by its owner, and every node hears of the move.
 */
class HotTagRefreshIntegrationTest {

  private static final String TOKEN = "refresh-token";
  private static final int TAGS = 5;
  private static final Duration TTL = Duration.ofSeconds(4);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void refreshOn_theFleetsNextPullsOfMovedHotTagsAreWarm() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start(); TestNode node = start(hub, true)) {
      Run run = new Run(hub, List.of(node));
      run.pullHot();
      run.moveAll();
      // The owner finds the moves lead-time before the TTL ends and fetches ahead.
      Await.until(Duration.ofSeconds(20), "refreshes of the 5 tags", () -> run.movedByRefresh() == TAGS);
      Await.until(Duration.ofSeconds(20), "the new amd64 blobs fetched ahead",
          () -> hub.count("GET", "/blobs/") == run.newAmd64Blobs());
      assertEquals(0, run.newArm64OnlyBlobsFetched(hub), "only the platform the fleet pulled");
      assertEquals(2 * TAGS, hub.count("GET", "/manifests/"), "each tag's new index and amd64 child");
      PrometheusText metrics = PrometheusText.parse(new String(new RegistryClient(node.url()).get("/metrics").body(),
          StandardCharsets.UTF_8));
      assertEquals(2 * TAGS, metrics.value("layercake_upstream_manifest_pulls_total", "upstream", "docker-hub",
          "kind", "refresh"), "each tag's new index and amd64 child, counted as refresh pulls");
      assertTrue(metrics.value("layercake_upstream_manifest_heads_total", "upstream", "docker-hub", "kind", "refresh")
          >= TAGS, "each tag's refresh asked with a free HEAD first");

      hub.resetCounts();
      run.pullMoved();
      assertEquals(0, hub.count("GET", "/blobs/"), "no cold blob fetch on the client path");
      assertEquals(0, hub.count("GET", "/manifests/"), "the new manifests were fetched ahead too");
    }
  }

  @Test
  void refreshOff_theSamePullsAreCold() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start(); TestNode node = start(hub, false)) {
      Run run = new Run(hub, List.of(node));
      run.pullHot();
      run.moveAll();
      Await.holds(TTL, "nothing fetched ahead", () -> hub.count("GET", "/blobs/") == 0);
      run.pullMoved();
      assertEquals(run.newAmd64Blobs(), hub.count("GET", "/blobs/"), "every new blob fetched on the client path");
      assertEquals(0, run.movedByRefresh());
    }
  }

  @Test
  void inACluster_eachMovedTagIsRefreshedOnce_andTheWholeFleetPullsWarm() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start();
        TestCluster cluster = TestCluster.start(3, dataDir, hub.url(), settings(true))) {
      Run run = new Run(hub, cluster.nodes());
      run.pullHot();
      run.moveAll();
      for (TestNode node : cluster.nodes()) {
        Await.until(Duration.ofSeconds(20), "every node's log has the 5 refreshes", () -> run.movedByRefresh(node) == TAGS);
      }
      Await.until(Duration.ofSeconds(20), "the new amd64 blobs fetched ahead",
          () -> hub.count("GET", "/blobs/") == run.newAmd64Blobs());
      Await.holds(Duration.ofSeconds(2), "each blob fetched once for the cluster",
          () -> hub.count("GET", "/blobs/") == run.newAmd64Blobs());
      assertEquals(2 * TAGS, hub.count("GET", "/manifests/"), "one refresh per tag for the cluster");

      hub.resetCounts();
      run.pullMoved();
      assertEquals(0, hub.count("GET", "/blobs/"), "no cold blob fetch on any node's client path");
    }
  }

  private TestNode start(FakeRegistry hub, boolean refresh) {
    return TestNode.start(dataDir, hub.url(), settings(refresh));
  }

  private static Map<String, Object> settings(boolean refresh) {
    return Map.of(
        "layercake.admin.token", TOKEN,
        "layercake.manifests.tag-ttl", TTL.toSeconds() + "s",
        "layercake.manifests.refresh.enabled", refresh,
        "layercake.manifests.refresh.hot-pulls", 3,
        "layercake.manifests.refresh.lead-time", "2s");
  }

  /** Five tags pulled by a small fleet, then moved upstream. */
  private static final class Run {
    private final FakeRegistry hub;
    private final List<TestNode> nodes;
    private final Map<String, Image> moved = new HashMap<>();
    private int pulls;

    /** A fleet whose pulls go to {@code nodes} in turn. */
    Run(FakeRegistry hub, List<TestNode> nodes) {
      this.hub = hub;
      this.nodes = nodes;
    }

    /** Each tag pulled three times (amd64), then once more after its TTL: hot on its owner. */
    void pullHot() throws InterruptedException {
      List<Image> first = new ArrayList<>();
      for (int i = 0; i < TAGS; i++) {
        Image image = TestImage.multiPlatform(ImageFormat.OCI, 100 + i, 200, 300);
        FakeImages.publish(hub, "library/base" + i, "1", image);
        first.add(image);
      }
      for (int round = 0; round < 3; round++) {
        for (int i = 0; i < TAGS; i++) {
          pull(i, first.get(i));
        }
      }
      // Pulls go on until each tag's TTL has run out and its owner revalidated it (a HEAD): the
      // pulls answered from fresh answers meanwhile are then reported to it.
      Await.until(Duration.ofSeconds(30), "each tag revalidated after its TTL", () -> {
        for (int i = 0; i < TAGS; i++) {
          pull(i, first.get(i));
        }
        return java.util.stream.IntStream.range(0, TAGS)
            .allMatch(i -> hub.count("HEAD", "/library/base" + i + "/manifests/1") > 0);
      });
    }

    void moveAll() {
      for (int i = 0; i < TAGS; i++) {
        Image image = TestImage.multiPlatform(ImageFormat.OCI, 200 + i, 200, 300);
        FakeImages.publish(hub, "library/base" + i, "1", image);
        moved.put("base" + i, image);
      }
      hub.resetCounts();
    }

    /**
     * The fleet's next pull of each moved tag, once every node's fresh answer has run out: each
     * node is asked for the tag (a manifest request, no blob) until it answers the new image.
     */
    void pullMoved() {
      for (int i = 0; i < TAGS; i++) {
        String digest = moved.get("base" + i).digest();
        String path = "/v2/library/base" + i + "/manifests/1";
        for (TestNode node : nodes) {
          RegistryClient client = new RegistryClient(node.url());
          Await.until(Duration.ofSeconds(20), "base" + i + " moved on " + node.url(), () -> digest.equals(
              RegistryClient.digestOf(client.get(path, "Accept", MirrorClient.MANIFEST_ACCEPT).body())));
        }
        pull(i, moved.get("base" + i));
      }
    }

    /** Pulls linux/amd64 of tag {@code i} as a client does, checking every byte against {@code image}. */
    void pull(int i, Image image) {
      RegistryClient client = new RegistryClient(nodes.get(pulls++ % nodes.size()).url());
      String repository = "/v2/library/base" + i;
      HttpResponse<byte[]> index = client.get(repository + "/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
      assertEquals(200, index.statusCode());
      assertArrayEquals(image.manifest().bytes(), index.body(), "the tag's current index");
      Manifest amd64 = image.manifestFor(Platform.LINUX_AMD64).orElseThrow();
      HttpResponse<byte[]> child = client.get(repository + "/manifests/" + amd64.digest(),
          "Accept", MirrorClient.MANIFEST_ACCEPT);
      assertArrayEquals(amd64.bytes(), child.body());
      for (String blob : blobsOf(amd64)) {
        HttpResponse<byte[]> body = client.get(repository + "/blobs/" + blob);
        assertEquals(200, body.statusCode());
        assertEquals(blob, RegistryClient.digestOf(body.body()));
      }
    }

    int newAmd64Blobs() {
      return moved.values().stream().mapToInt(image -> blobsOf(image.manifestFor(Platform.LINUX_AMD64).orElseThrow())
          .size()).sum();
    }

    long newArm64OnlyBlobsFetched(FakeRegistry hub) {
      long fetched = 0;
      for (Image image : moved.values()) {
        List<String> amd64 = blobsOf(image.manifestFor(Platform.LINUX_AMD64).orElseThrow());
        for (String blob : blobsOf(image.manifestFor(Platform.LINUX_ARM64).orElseThrow())) {
          if (!amd64.contains(blob)) {
            fetched += hub.count("GET", "/blobs/" + blob);
          }
        }
      }
      return fetched;
    }

    long movedByRefresh() {
      return movedByRefresh(nodes.get(0));
    }

    /** The tag.moved events of refreshes in {@code node}'s log. */
    long movedByRefresh(TestNode node) {
      HttpResponse<String> answer;
      try {
        answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(node.url() + "/admin/events?follow=false"))
            .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException | InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return answer.body().lines().filter(line -> !line.isBlank()).map(HotTagRefreshIntegrationTest::read)
          .filter(event -> event.path("type").asText().equals("tag.moved")
              && event.path("reason").asText().equals("refresh"))
          .count();
    }
  }

  private static List<String> blobsOf(Manifest manifest) {
    JsonNode json = read(new String(manifest.bytes(), StandardCharsets.UTF_8));
    List<String> blobs = new ArrayList<>();
    blobs.add(json.path("config").path("digest").asText());
    json.path("layers").forEach(layer -> blobs.add(layer.path("digest").asText()));
    return blobs;
  }

  private static JsonNode read(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException(json, e);
    }
  }
}
