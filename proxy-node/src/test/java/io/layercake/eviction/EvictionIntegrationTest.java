package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.PrometheusText;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eviction on one node: the size cap, in-use blobs, age rules and prune, through the real API. */
class EvictionIntegrationTest {

  private static final String ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, "
      + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
  private static final String TOKEN = "evict-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;
  @TempDir Path blobDir;

  /**
   * Acceptance 1, scaled down tenfold (cap 20 MB, ten images of about 6 MB: the same ratios as a
   * 200 MB cap and 60 MB images).
   */
  @Test
  void sizeCap_tenImagesThroughATwentyMegabyteCap_oldestEvictedNewestWarm() {
    long cap = 20_000_000;
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.storage.max-size", cap))) {
      List<Image> images = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 100 + i, 6_000_000);
        FakeImages.publish(upstream, "library/img" + i, "1", image);
        images.add(image);
      }
      long largestBlob = images.stream().flatMap(i -> i.blobs().stream()).mapToLong(Blob::size).max().orElseThrow();
      AtomicLong peak = new AtomicLong();
      AtomicBoolean sampling = new AtomicBoolean(true);
      Thread sampler = new Thread(() -> {
        while (sampling.get()) {
          peak.accumulateAndGet(node.node().store().usedBytes(), Math::max);
          Thread.onSpinWait();
        }
      });
      sampler.start();
      RegistryClient client = new RegistryClient(node.url());
      for (int i = 0; i < 10; i++) {
        pull(client, "library/img" + i, images.get(i));
        awaitCommitted(node, images.get(i));
      }
      sampling.set(false);
      peak.accumulateAndGet(node.node().store().usedBytes(), Math::max);

      assertTrue(peak.get() <= cap + largestBlob,
          "store peaked at " + peak.get() + " bytes, cap " + cap + " + one blob " + largestBlob);
      upstream.resetCounts();
      pull(client, "library/img9", images.get(9));
      pull(client, "library/img8", images.get(8));
      assertEquals(List.of(), upstream.requests(), "the two most recent images are warm");
      for (int i = 0; i < 6; i++) {
        for (Blob blob : images.get(i).blobs()) {
          assertFalse(node.node().store().find(Digest.parse(blob.digest())).isPresent(),
              "image " + i + " was evicted");
        }
      }
      Evictor evictor = node.node().eviction().evictor();
      assertEquals(cap, evictor.maxSize());
      PrometheusText metrics = PrometheusText.parse(
          new String(client.get("/metrics").body(), StandardCharsets.UTF_8));
      double evictions = metrics.value("layercake_evictions_total", "reason", "size");
      double freed = metrics.value("layercake_evicted_bytes_total", "reason", "size");
      assertTrue(evictions >= 18, "evictions for size: " + evictions);
      // Every blob of these images is larger than 0, and each eviction freed one blob's bytes.
      assertTrue(freed >= evictions, "bytes freed for size: " + freed);
      assertEquals(cap, metrics.value("layercake_store_max_bytes"));
      System.out.printf("size cap: peak %d bytes for a cap of %d (largest blob %d); %.0f evictions freed %.0f bytes%n",
          peak.get(), cap, largestBlob, evictions, freed);
    }
  }

  /** Acceptance 2: a 100 MB blob streaming to a stalled client survives prune -a and cap pressure. */
  @Test
  void streamingBlob_survivesPruneAllAndCapPressure_clientGetsCorrectBytes() throws Exception {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(),
            Map.of("layercake.storage.max-size", "150MB", "layercake.admin.token", TOKEN))) {
      Image big = TestImage.builder(ImageFormat.DOCKER, 7).largeLayer(100_000_000, blobDir).build();
      FakeImages.publish(upstream, "library/big", "1", big);
      Image other = TestImage.singlePlatform(ImageFormat.DOCKER, 8, 60_000_000);
      FakeImages.publish(upstream, "library/other", "1", other);
      RegistryClient client = new RegistryClient(node.url());
      pull(client, "library/big", big);
      LargeBlob layer = big.largeBlobs().get(0);
      Digest layerDigest = Digest.parse(layer.digest());
      Await.until(Duration.ofSeconds(20), "the big layer committed",
          () -> node.node().store().find(layerDigest).isPresent());

      HttpResponse<InputStream> slow = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(node.url() + "/v2/library/big/blobs/" + layer.digest())).GET().build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, slow.statusCode());
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      InputStream body = slow.body();
      long read = readAtMost(body, sha256, 1_000_000);

      JsonNode pruned = admin(client, "POST", "/admin/prune?all=true");
      assertFalse(pruned.toString().contains(layer.digest()), "prune -a spared the streaming blob: " + pruned);
      assertFalse(pruned.path("untagged").toString().contains("library/big"), pruned.toString());
      // The store cannot get under its cap while the big layer streams: the pull still succeeds,
      // and eviction takes what it may (the new image's own blobs, once committed).
      pull(client, "library/other", other);
      node.node().eviction().evictor().check();
      assertTrue(node.node().store().find(layerDigest).isPresent(), "cap pressure spared the streaming blob");

      read += readAtMost(body, sha256, Long.MAX_VALUE);
      assertEquals(layer.size(), read);
      assertEquals(layer.digest(), "sha256:" + HexFormat.of().formatHex(sha256.digest()));
      body.close();

      // With the reader gone the blob is evictable again: the next check brings the store under the cap.
      Await.until(Duration.ofSeconds(20), "the store back under its cap", () -> {
        node.node().eviction().evictor().check();
        return node.node().store().usedBytes() <= 150_000_000 * 0.95;
      });
    }
  }

  /** Acceptance 3: unused-for and max-age rules remove exactly what they should. */
  @Test
  void ageRules_unusedForAndMaxAge_removeWhatTheyShouldAndNothingElse() {
    String rules = "[ { match = \"library/old*\", unused-for = 3s },"
        + " { match = \"*\", tag = \"pr-*\", max-age = 3s } ]";
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of(
            "layercake.eviction.rules", com.typesafe.config.ConfigFactory.parseString("r = " + rules)
                .getList("r").unwrapped(),
            "layercake.eviction.rule-interval", "300ms", "layercake.admin.token", TOKEN))) {
      Map<String, Image> images = Map.of(
          "library/oldapp:1", TestImage.singlePlatform(ImageFormat.DOCKER, 31, 1000),
          "library/oldfresh:1", TestImage.singlePlatform(ImageFormat.DOCKER, 32, 1000),
          "library/keep:1", TestImage.singlePlatform(ImageFormat.DOCKER, 33, 1000),
          "myorg/app:pr-1", TestImage.singlePlatform(ImageFormat.DOCKER, 34, 1000),
          "myorg/app:main", TestImage.singlePlatform(ImageFormat.DOCKER, 35, 1000));
      RegistryClient client = new RegistryClient(node.url());
      images.forEach((name, image) -> {
        String[] parts = name.split(":");
        FakeImages.publish(upstream, parts[0], parts[1], image);
        pull(client, parts[0], parts[1], image);
        awaitCommitted(node, image);
      });
      Blob freshConfig = images.get("library/oldfresh:1").blobs().get(0);

      Await.until(Duration.ofSeconds(30), "the rules removed oldapp and pr-1", () -> {
        // Keeps oldfresh in use: its config is pulled on every poll.
        client.get("/v2/library/oldfresh/blobs/" + freshConfig.digest());
        Set<String> names = imageNames(admin(client, "GET", "/admin/images"));
        return !names.contains("library/oldapp:1") && !names.contains("myorg/app:pr-1");
      });

      assertEquals(Set.of("library/oldfresh:1", "library/keep:1", "myorg/app:main"),
          imageNames(admin(client, "GET", "/admin/images")));
      assertGone(node, images.get("library/oldapp:1"));
      assertGone(node, images.get("myorg/app:pr-1"));
      for (String kept : List.of("library/oldfresh:1", "library/keep:1", "myorg/app:main")) {
        for (Blob blob : images.get(kept).blobs()) {
          assertTrue(node.node().store().find(Digest.parse(blob.digest())).isPresent(), kept + " kept");
        }
      }
      PrometheusText metrics = PrometheusText.parse(
          new String(client.get("/metrics").body(), StandardCharsets.UTF_8));
      assertTrue(metrics.value("layercake_evictions_total", "reason", "unused-for") >= 3, "evicted as unused");
      assertTrue(metrics.value("layercake_evictions_total", "reason", "max-age") >= 2, "evicted for age");
    }
  }

  /** Acceptance 3: prune --dry-run lists the same set that prune then removes. */
  @Test
  void pruneDryRun_listsExactlyWhatPruneRemoves() {
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.admin.token", TOKEN))) {
      Image stale = TestImage.singlePlatform(ImageFormat.DOCKER, 41, 2000);
      Image fresh = TestImage.singlePlatform(ImageFormat.DOCKER, 42, 2000);
      FakeImages.publish(upstream, "library/stale", "1", stale);
      FakeImages.publish(upstream, "library/fresh", "1", fresh);
      RegistryClient client = new RegistryClient(node.url());
      pull(client, "library/stale", stale);
      pull(client, "library/fresh", fresh);
      awaitCommitted(node, stale);
      awaitCommitted(node, fresh);
      long pulled = System.nanoTime();
      Await.until(Duration.ofSeconds(10), "four seconds since the pulls",
          () -> System.nanoTime() - pulled > Duration.ofSeconds(4).toNanos());
      pull(client, "library/fresh", fresh);

      JsonNode dryRun = admin(client, "POST", "/admin/prune?all=true&until=3s&dry-run=true");
      assertEquals(Set.of("library/stale:1"), strings(dryRun.path("untagged")));
      assertTrue(dryRun.path("dryRun").asBoolean());
      for (Blob blob : stale.blobs()) {
        assertTrue(node.node().store().find(Digest.parse(blob.digest())).isPresent(), "dry run removed nothing");
      }

      JsonNode pruned = admin(client, "POST", "/admin/prune?all=true&until=3s");
      assertEquals(strings(dryRun.path("untagged")), strings(pruned.path("untagged")));
      assertEquals(dryRun.path("deleted"), pruned.path("deleted"));
      assertEquals(dryRun.path("reclaimed"), pruned.path("reclaimed"));
      Set<String> expected = new HashSet<>(stale.blobDigests());
      expected.add(stale.digest());
      Set<String> deleted = new HashSet<>();
      pruned.path("deleted").forEach(d -> deleted.add(d.path("digest").asText()));
      assertEquals(expected, deleted);
      assertGone(node, stale);
      assertEquals(Set.of("library/fresh:1"), imageNames(admin(client, "GET", "/admin/images")));
    }
  }

  /** Pins survive a restart; prune -a keeps a pinned image; rmi needs --force, which unpins. */
  @Test
  void pin_survivesRestart_keepsImageFromPrune_rmiForceRemovesItAndThePin() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 51, 5000);
    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, "library/pinned", "1", image);
      Map<String, Object> settings = Map.of("layercake.admin.token", TOKEN);
      try (TestNode node = TestNode.start(dataDir, upstream.url(), settings)) {
        RegistryClient client = new RegistryClient(node.url());
        pull(client, "library/pinned", image);
        awaitCommitted(node, image);
        assertEquals(Set.of("library/pinned:1"), strings(admin(client, "POST", "/admin/pins?image=pinned:1")
            .path("images")));
      }
      try (TestNode node = TestNode.start(dataDir, upstream.url(), settings)) {
        RegistryClient client = new RegistryClient(node.url());
        JsonNode pins = admin(client, "GET", "/admin/pins");
        assertEquals("library/pinned:1", pins.path("pins").get(0).path("image").asText(), pins.toString());
        assertEquals(0, admin(client, "POST", "/admin/prune?all=true").path("deleted").size());
        for (String digest : image.blobDigests()) {
          assertTrue(node.node().store().find(Digest.parse(digest)).isPresent(), "prune -a kept the pinned image");
        }
        HttpResponse<byte[]> refused = client.send("POST", "/admin/rmi?image=pinned:1",
            "Authorization", "Bearer " + TOKEN);
        assertEquals(403, refused.statusCode(), new String(refused.body()));

        JsonNode removed = admin(client, "POST", "/admin/rmi?image=pinned:1&force=true");
        assertEquals(Set.of("library/pinned:1"), strings(removed.path("untagged")));
        assertGone(node, image);
        assertEquals(0, admin(client, "GET", "/admin/pins").path("pins").size());

        // The next pull fetches the image again.
        upstream.resetCounts();
        pull(client, "library/pinned", image);
        assertTrue(upstream.count("GET", ".*/blobs/.*") >= image.blobs().size(), "blobs fetched again");
      }
    }
  }

  /**
   * Issue 10: a cap held by pinned content. New blobs are served, streamed through without being
   * stored, instead of pushing the store further over its cap; once the pin goes, they are stored.
   */
  @Test
  void capHeldByPinnedImage_newBlobsServedUncached_storedAgainAfterUnpin() {
    Image pinned = TestImage.singlePlatform(ImageFormat.OCI, 171, 1_500_000, 1_500_000);
    Image first = TestImage.singlePlatform(ImageFormat.OCI, 172, 1_000_000);
    Image later = TestImage.singlePlatform(ImageFormat.OCI, 173, 1_000_000);
    try (FakeRegistry upstream = FakeRegistry.start()) {
      FakeImages.publish(upstream, "library/pinned", "1", pinned);
      FakeImages.publish(upstream, "library/first", "1", first);
      FakeImages.publish(upstream, "library/later", "1", later);
      try (TestNode node = TestNode.start(dataDir, upstream.url(), Map.of("layercake.admin.token", TOKEN))) {
        RegistryClient client = new RegistryClient(node.url());
        pull(client, "library/pinned", pinned);
        awaitCommitted(node, pinned);
        admin(client, "POST", "/admin/pins?image=pinned:1");
      }
      // The operator lowers the cap below what the pin holds.
      try (TestNode node = TestNode.start(dataDir, upstream.url(),
          Map.of("layercake.storage.max-size", "2MB", "layercake.admin.token", TOKEN))) {
        RegistryClient client = new RegistryClient(node.url());
        long held = node.node().store().usedBytes();
        assertTrue(held > 2_000_000, "the pinned image is over the cap: " + held);
        Await.until(Duration.ofSeconds(15), "eviction finds the cap held by the pin",
            () -> node.node().store().capHeld());

        pull(client, "library/first", first);
        for (String digest : first.blobDigests()) {
          assertFalse(node.node().store().find(Digest.parse(digest)).isPresent(), digest + " was stored over the cap");
        }
        // Only the manifest (bytes, read by every later pull of the tag) is stored.
        assertEquals(held + first.manifest().bytes().length, node.node().store().usedBytes(),
            "the store grew over its cap by more than the manifest");
        assertEquals(1, upstream.count("GET", ".*/blobs/" + first.blobs().get(0).digest()));

        admin(client, "DELETE", "/admin/pins?image=pinned:1");
        Await.until(Duration.ofSeconds(15), "the cap no longer held", () -> !node.node().store().capHeld());
        pull(client, "library/later", later);
        awaitCommitted(node, later);
      }
    }
  }

  private static void assertGone(TestNode node, Image image) {
    // The tag goes first and the blobs after it: a listing can miss the image a moment before
    // its files are deleted.
    Await.until(Duration.ofSeconds(10), "the image's blobs deleted", () -> image.blobs().stream()
        .noneMatch(blob -> node.node().store().find(Digest.parse(blob.digest())).isPresent()));
    for (Blob blob : image.blobs()) {
      assertFalse(node.node().store().find(Digest.parse(blob.digest())).isPresent(), blob.digest() + " removed");
    }
    assertFalse(node.node().store().find(Digest.parse(image.digest())).isPresent(), "manifest removed");
  }

  private static long readAtMost(InputStream in, MessageDigest sha256, long limit) throws Exception {
    byte[] buffer = new byte[64 * 1024];
    long read = 0;
    while (read < limit) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - read));
      if (n < 0) {
        break;
      }
      sha256.update(buffer, 0, n);
      read += n;
    }
    return read;
  }

  /** An admin call's answer, once the node knows its own cache (503 until its keeper is registered). */
  private static JsonNode admin(RegistryClient client, String method, String path) {
    AtomicReference<HttpResponse<byte[]>> response = new AtomicReference<>();
    Await.until(Duration.ofSeconds(20), "an admin answer other than 503 to " + path, () -> {
      response.set(client.send(method, path, "Authorization", "Bearer " + TOKEN));
      return response.get().statusCode() != 503;
    });
    assertEquals(200, response.get().statusCode(), new String(response.get().body()));
    return parse(response.get());
  }

  private static JsonNode parse(HttpResponse<byte[]> response) {
    try {
      return JSON.readTree(response.body());
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  private static Set<String> imageNames(JsonNode images) {
    Set<String> names = new HashSet<>();
    images.path("images").forEach(i -> names.add(i.path("fullRepository").asText() + ":" + i.path("tag").asText()));
    return names;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> values = new HashSet<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  static void awaitCommitted(TestNode node, Image image) {
    Await.until(Duration.ofSeconds(20), "every blob committed", () -> image.blobDigests().stream()
        .allMatch(d -> node.node().store().find(Digest.parse(d)).isPresent()));
  }

  static void pull(RegistryClient client, String repository, Image image) {
    pull(client, repository, "1", image);
  }

  static void pull(RegistryClient client, String repository, String tag, Image image) {
    HttpResponse<byte[]> manifest = client.get("/v2/" + repository + "/manifests/" + tag, "Accept", ACCEPT);
    assertEquals(200, manifest.statusCode(), new String(manifest.body()));
    assertArrayEquals(image.manifest().bytes(), manifest.body());
    for (Blob blob : image.blobs()) {
      HttpResponse<byte[]> response = client.get("/v2/" + repository + "/blobs/" + blob.digest());
      assertEquals(200, response.statusCode(), new String(response.body()));
      assertEquals(blob.digest(), RegistryClient.digestOf(response.body()));
    }
    for (LargeBlob blob : image.largeBlobs()) {
      try {
        RegistryClient.StreamedBody body = client.stream("/v2/" + repository + "/blobs/" + blob.digest());
        assertEquals(200, body.status());
        assertEquals(blob.digest(), body.digest());
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }
}
