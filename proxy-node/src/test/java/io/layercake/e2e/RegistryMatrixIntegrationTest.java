package io.layercake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.Containerd;
import io.layercake.testkit.DirLayoutReader;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.Manifest;
import io.layercake.testkit.Platform;
import io.layercake.testkit.Podman;
import io.layercake.testkit.RecordedRequest;
import io.layercake.testkit.RegistryMirrorConfig;
import io.layercake.testkit.RequiredClient;
import io.layercake.testkit.Sha256;
import io.layercake.testkit.Skopeo;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestFiles;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three registries through one mirror, each pulled by skopeo, podman and containerd's ctr in the
 * form that client sends (issue 14), with the files in {@code cluster-config/clients/}: skopeo and
 * podman with its registries.conf, a prefix mirror per registry ({@code /v2/ghcr.io/...}); ctr with
 * its hosts.toml per registry ({@code ?ns=ghcr.io}), and once more with the mirror addressed by
 * path ({@code override_path}).
 *
 * <p>The registries are in-JVM fakes with different authentication, as the real ones have: a
 * Docker-Hub-like one whose tokens come from a separate token service and whose blobs redirect to
 * a CDN port, a ghcr-like one with its token service at {@code /token} on its own host, each with
 * its own account, and an anonymous mcr-like one. Users name them {@code docker.io}, {@code
 * ghcr.io} and {@code mcr.microsoft.com}; the mirror's configuration maps each name to its fake's
 * loopback port, so no name is ever resolved, and each client's fallback location is the fake, so
 * no pull can leave 127.0.0.1.
 *
 * <p>Every client must store exactly the published manifests and blobs of linux/amd64. Each blob is
 * fetched from its registry once across the whole matrix, and no request reaches a registry from
 * a client itself. The tests run in order and share the node, since what the matrix proves is
 * what the later clients do not fetch.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryMatrixIntegrationTest {

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(90);
  private static final Platform PLATFORM = Platform.LINUX_AMD64;
  private static final Pattern CLIENT_USER_AGENT =
      Pattern.compile("^(skopeo|containers|libpod|podman|containerd|ctr|Go-http-client)/.*");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The client files users install: the tests pull with them, only the addresses rewritten. */
  private static final Path SHIPPED = Path.of("..", "cluster-config", "clients");

  @TempDir static Path work;

  private FakeRegistry hubTokens;
  private FakeRegistry hub;
  private FakeRegistry ghcr;
  private FakeRegistry mcr;
  private TestNode node;
  private Containerd containerd;
  private final List<Pulled> images = new ArrayList<>();

  /**
   * One published image.
   *
   * @param registry the fake that serves it
   * @param host the registry's name, as users write it
   * @param repository its repository there
   * @param tag its tag
   * @param image its content
   */
  private record Pulled(FakeRegistry registry, String host, String repository, String tag, Image image) {

    String reference() {
      return host + "/" + repository + ":" + tag;
    }

    Manifest platformManifest() {
      return image.manifestFor(PLATFORM).orElseThrow();
    }

    Set<String> platformBlobs() {
      JsonNode manifest = readJson(platformManifest().bytes());
      Set<String> blobs = new LinkedHashSet<>();
      blobs.add(manifest.path("config").path("digest").asText());
      manifest.path("layers").forEach(layer -> blobs.add(layer.path("digest").asText()));
      return blobs;
    }
  }

  @BeforeAll
  void start() {
    RequiredClient.check("skopeo", Skopeo.isInstalled());
    hubTokens = FakeRegistry.start(FakeRegistry.Options.defaults().credentials("hub-user", "hub-secret"));
    hub = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true)
        .credentials("hub-user", "hub-secret").externalRealm(hubTokens).redirectBlobs(true));
    ghcr = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true).credentials("ghcr-bot", "ghp-token"));
    mcr = FakeRegistry.start();
    images.add(publish(hub, "docker.io", "library/matrix-app", "1",
        TestImage.builder(ImageFormat.DOCKER, 501).layer(400_000).layer(90_000).build()));
    images.add(publish(hub, "docker.io", "library/matrix-multi", "1",
        TestImage.builder(ImageFormat.OCI, 502).sharedLayer(300_000).layer(80_000)
            .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64).build()));
    images.add(publish(ghcr, "ghcr.io", "org/app", "1",
        TestImage.builder(ImageFormat.OCI, 503).layer(350_000).build()));
    images.add(publish(ghcr, "ghcr.io", "org/multi", "2",
        TestImage.multiPlatform(ImageFormat.DOCKER, 504, 250_000)));
    images.add(publish(mcr, "mcr.microsoft.com", "dotnet/aspnet", "8.0",
        TestImage.builder(ImageFormat.OCI, 505).sharedLayer(450_000).layer(60_000)
            .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64).build()));
    images.add(publish(mcr, "mcr.microsoft.com", "dotnet/runtime", "8.0",
        TestImage.builder(ImageFormat.DOCKER, 506).layer(200_000).build()));

    Map<String, Object> upstreams = new HashMap<>();
    upstreams.put("layercake.upstreams.docker-hub.credentials.username", "hub-user");
    upstreams.put("layercake.upstreams.docker-hub.credentials.password", "hub-secret");
    upstreams.put("layercake.upstreams.docker-hub.auth-realms", List.of(hubTokens.realm()));
    upstreams.put("layercake.upstreams.ghcr.url", ghcr.url());
    upstreams.put("layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"));
    upstreams.put("layercake.upstreams.ghcr.credentials.username", "ghcr-bot");
    upstreams.put("layercake.upstreams.ghcr.credentials.password", "ghp-token");
    upstreams.put("layercake.upstreams.mcr.url", mcr.url());
    upstreams.put("layercake.upstreams.mcr.namespaces", List.of("mcr.microsoft.com"));
    upstreams.put("layercake.auth.allow-anonymous-with-upstream-credentials", "on");
    node = TestNode.start(work.resolve("node"), hub.url(), upstreams);
  }

  private static Pulled publish(FakeRegistry registry, String host, String repository, String tag, Image image) {
    FakeImages.publish(registry, repository, tag, image);
    return new Pulled(registry, host, repository, tag, image);
  }

  @AfterAll
  void stop() {
    TestFiles.closeAll(containerd, node, hub, hubTokens, ghcr, mcr);
  }

  @Test
  @Order(1)
  void skopeo_prefixMirrorPerRegistry_storesThePublishedDigests_eachBlobFetchedOnce() {
    Path conf = mirrorConfig().rewriteRegistriesConf(SHIPPED.resolve("registries.conf"),
        work.resolve("skopeo").resolve("registries.conf"));
    for (Pulled pulled : images) {
      Path dir = work.resolve("skopeo").resolve(pulled.reference().replaceAll("[/:]", "-"));
      Skopeo.copyThroughRegistriesConf(conf, work.resolve("skopeo").resolve("home"), PLATFORM,
          "docker://" + pulled.reference(), "dir:" + dir, CLIENT_TIMEOUT);

      assertEquals(pulled.platformManifest(), DirLayoutReader.topManifest(dir), "skopeo's " + pulled.reference());
      Set<String> expected = new TreeSet<>(pulled.platformBlobs());
      expected.add(pulled.platformManifest().digest());
      assertEquals(expected, new TreeSet<>(DirLayoutReader.verifiedDigests(dir)), "skopeo's " + pulled.reference());
    }
    assertEachBlobFetchedOnce("skopeo");
  }

  @Test
  @Order(2)
  void podman_prefixMirrorPerRegistry_storesThePublishedDigests_noBlobFetchedAgain() {
    RequiredClient.check("podman", Podman.isInstalled());
    Path conf = mirrorConfig().rewriteRegistriesConf(SHIPPED.resolve("registries.conf"),
        work.resolve("podman-registries.conf"));
    Podman podman = Podman.create(work.resolve("podman"), conf, CLIENT_TIMEOUT);
    for (Pulled pulled : images) {
      podman.pull(pulled.reference(), PLATFORM);

      Podman.StoredImage stored = podman.inspect(pulled.reference());
      String config = readJson(pulled.platformManifest().bytes()).path("config").path("digest").asText();
      assertEquals(Sha256.hex(config), stored.id(), "podman's image ID of " + pulled.reference());
      assertEquals(pulled.image().digest(), stored.digest(), "podman's digest of " + pulled.reference());
    }
    assertEachBlobFetchedOnce("podman");
  }

  @Test
  @Order(3)
  void ctr_hostsTomlWithNs_andWithOverridePath_storeThePublishedDigests_noBlobFetchedAgain() {
    RequiredClient.check("containerd and ctr", Containerd.isInstalled());
    containerd = Containerd.start(work.resolve("containerd"), CLIENT_TIMEOUT);
    String mirror = URI.create(node.url()).getAuthority();
    for (boolean overridePath : new boolean[] {false, true}) {
      Path hostsDir = overridePath
          ? mirrorConfig().writeOverridePathHostsDir(work.resolve("hosts-by-path"))
          : mirrorConfig().rewriteHostsDir(SHIPPED.resolve("containerd").resolve("certs.d"), work.resolve("hosts-by-ns"));
      String namespace = overridePath ? "by-path" : "by-ns";
      Set<String> expected = new TreeSet<>();
      for (Pulled pulled : images) {
        List<Containerd.SentRequest> sent = containerd.fetch(namespace, pulled.reference(), hostsDir, PLATFORM);

        assertFalse(sent.isEmpty(), "ctr's --http-dump showed no request");
        String prefix = overridePath ? "/v2/" + pulled.host() + "/" : "/v2/";
        for (Containerd.SentRequest request : sent) {
          assertEquals(mirror, request.host(), "ctr sent " + request + " past the mirror");
          assertTrue(request.target().startsWith(prefix + pulled.repository() + "/"),
              "ctr's request " + request + " is not in the " + namespace + " form");
          assertTrue(overridePath || request.target().contains("?ns=" + pulled.host()),
              "ctr's request " + request + " lacks ?ns=" + pulled.host());
        }
        expected.add(pulled.image().digest());
        expected.add(pulled.platformManifest().digest());
        expected.addAll(pulled.platformBlobs());
      }
      assertEquals(expected, new TreeSet<>(containerd.contentDigests(namespace)), "containerd's " + namespace);
    }
    assertEachBlobFetchedOnce("ctr");
  }

  private RegistryMirrorConfig mirrorConfig() {
    return new RegistryMirrorConfig(URI.create(node.url()).getAuthority(), Map.of(
        "docker.io", URI.create(hub.url()).getAuthority(),
        "ghcr.io", URI.create(ghcr.url()).getAuthority(),
        "mcr.microsoft.com", URI.create(mcr.url()).getAuthority()));
  }

  /**
   * Each linux/amd64 blob was fetched from its registry exactly once, whichever client asked
   * first; no arm64-only blob was fetched; no request reached a registry from a client itself.
   */
  private void assertEachBlobFetchedOnce(String client) {
    for (Pulled pulled : images) {
      for (String blob : pulled.platformBlobs()) {
        assertEquals(1, pulled.registry().count("GET", "^/v2/" + pulled.repository() + "/blobs/" + blob + "$"),
            "GETs of " + pulled.reference() + "'s blob " + blob + " after " + client);
      }
      for (String blob : pulled.image().blobDigests()) {
        if (!pulled.platformBlobs().contains(blob) && !isManifest(pulled, blob)) {
          assertEquals(0, pulled.registry().count("GET", "/blobs/" + blob),
              pulled.reference() + "'s blob " + blob + " of a platform nobody pulled");
        }
      }
    }
    for (FakeRegistry registry : new FakeRegistry[] {hub, hubTokens, ghcr, mcr}) {
      for (RecordedRequest request : registry.requests()) {
        String agent = request.header("User-Agent").orElse("");
        assertFalse(CLIENT_USER_AGENT.matcher(agent).matches(), "a client reached a registry itself: " + request);
      }
    }
  }

  private static boolean isManifest(Pulled pulled, String digest) {
    return pulled.image().findManifest(digest).isPresent();
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse generated JSON", e);
    }
  }
}
