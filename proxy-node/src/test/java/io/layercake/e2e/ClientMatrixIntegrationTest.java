package io.layercake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.RequiredClient;
import io.layercake.testkit.Containerd;
import io.layercake.testkit.DebianRegistry;
import io.layercake.testkit.DirLayoutReader;
import io.layercake.testkit.DockerHubMirrorConfig;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.Manifest;
import io.layercake.testkit.NodeProcessCluster;
import io.layercake.testkit.Platform;
import io.layercake.testkit.Podman;
import io.layercake.testkit.Sha256;
import io.layercake.testkit.Skopeo;
import io.layercake.testkit.TestFiles;
import io.layercake.testkit.TestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real-client matrix (issue 4): skopeo, podman and containerd's ctr pull the same images from
 * "Docker Hub" through a three-node layercake cluster, each through a different node and each
 * configured the way users configure it: skopeo and podman with a {@code docker.io} mirror in
 * registries.conf, ctr with a {@code hosts.toml} mirror, which makes containerd add {@code
 * ?ns=docker.io} to its requests. Debian's docker-registry plays Docker Hub; every fallback
 * location in the client configuration points at it too, so nothing leaves 127.0.0.1.
 *
 * <p>Each client must store exactly the pushed manifests and blobs of linux/amd64, read back from
 * its own store; the upstream must see one GET per blob across the whole matrix (so the second and
 * third clients cause none), none for the arm64 blobs nobody asked for, and no request at all from
 * a client itself, which would mean it fell back past the mirror.
 *
 * <p>The tests run in order and share the cluster, since what the matrix proves is what the later
 * clients do not fetch. A client that is not installed is skipped, unless {@code LAYERCAKE_REQUIRE_CLIENTS}
 * is {@code 1} (as in CI), which turns a missing program into a failure.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClientMatrixIntegrationTest {

  private static final Logger log = LoggerFactory.getLogger(ClientMatrixIntegrationTest.class);

  /** The environment variable that makes a missing client a failure instead of a skip. */

  private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration LOG_WAIT = Duration.ofSeconds(10);
  private static final Platform PLATFORM = Platform.LINUX_AMD64;
  private static final String CONTAINERD_NAMESPACE = "matrix";
  /** The user agents of the clients, as they would appear upstream had one bypassed the mirror. */
  private static final Pattern CLIENT_USER_AGENT =
      Pattern.compile("^(skopeo|containers|libpod|podman|containerd|ctr|Go-http-client)/.*");
  private static final Pattern ACCESS_LOG_USER_AGENT =
      Pattern.compile("^\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"[^\"]*\" \\d{3} \\S+ \"[^\"]*\" \"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;

  private final List<MatrixImage> images = List.of(
      new MatrixImage("library/matrix-single", "1",
          TestImage.builder(ImageFormat.DOCKER, 401).layer(1 << 20).layer(300_000).build()),
      new MatrixImage("library/matrix-index", "1",
          TestImage.builder(ImageFormat.OCI, 402).sharedLayer(700_000).layer(400_000)
              .platforms(Platform.LINUX_AMD64, Platform.LINUX_ARM64).build()),
      new MatrixImage("library/matrix-list", "1",
          TestImage.multiPlatform(ImageFormat.DOCKER, 403, 500_000)));

  private DebianRegistry upstream;
  private NodeProcessCluster cluster;
  private Containerd containerd;
  /** Upstream log lines written while seeding: the lines after them must all come from layercake. */
  private volatile long seedingLogLines;

  /**
   * One test image under its Docker Hub name.
   *
   * @param repository e.g. {@code library/matrix-single}
   * @param tag the tag it is pushed under
   * @param image the generated image
   */
  private record MatrixImage(String repository, String tag, Image image) {

    /** The name a user pulls: {@code docker.io/library/NAME:TAG}. */
    String dockerIoReference() {
      return "docker.io/" + repository + ":" + tag;
    }

    /** The manifest a linux/amd64 client ends up with. */
    Manifest platformManifest() {
      return image.manifestFor(PLATFORM).orElseThrow();
    }

    /** The config digest of the linux/amd64 manifest. */
    String configDigest() {
      return readJson(platformManifest().bytes()).path("config").path("digest").asText();
    }

    /** The layer digests of the linux/amd64 manifest, base layer first. */
    List<String> layerDigests() {
      List<String> layers = new ArrayList<>();
      readJson(platformManifest().bytes()).path("layers")
          .forEach(layer -> layers.add(layer.path("digest").asText()));
      return layers;
    }

    /** The config and layers a linux/amd64 pull downloads. */
    Set<String> platformBlobs() {
      Set<String> blobs = new LinkedHashSet<>();
      blobs.add(configDigest());
      blobs.addAll(layerDigests());
      return blobs;
    }

    /** The uncompressed layer digests, from the linux/amd64 config. */
    List<String> diffIds() {
      List<String> diffIds = new ArrayList<>();
      readJson(image.findBlob(configDigest()).orElseThrow().bytes()).path("rootfs").path("diff_ids")
          .forEach(diffId -> diffIds.add(diffId.asText()));
      return diffIds;
    }
  }

  @BeforeAll
  void start() {
    requireInstalled("docker-registry (the upstream)", DebianRegistry.isInstalled());
    requireInstalled("skopeo (seeds the upstream)", Skopeo.isInstalled());
    long started = System.nanoTime();
    upstream = new DebianRegistry(work.resolve("upstream")).start();
    // the nodes ask upstream for nothing until a client pulls, so seeding can overlap their start
    CompletableFuture<Void> seeding = CompletableFuture.runAsync(this::seedUpstream);
    try {
      cluster = NodeProcessCluster.start(3, work.resolve("cluster"), upstream.url(), Map.of());
    } finally {
      seeding.join();
    }
    log.info("matrix: upstream seeded and 3 nodes up in {} ms", millisSince(started));
  }

  private void seedUpstream() {
    for (MatrixImage matrixImage : images) {
      Skopeo.push(matrixImage.image(), upstream.url(),
          matrixImage.repository() + ":" + matrixImage.tag());
    }
    // the tag is the last thing a push writes; once each is logged, so is all of the seeding
    for (MatrixImage matrixImage : images) {
      String tagPath = "/v2/" + matrixImage.repository() + "/manifests/" + matrixImage.tag();
      assertEquals(1, upstream.awaitRequests("PUT", tagPath, 1, LOG_WAIT), "PUT " + tagPath);
    }
    List<String> seedingLog = upstreamLogLines();
    // skopeo's pushes prove the check for clients reaching upstream can see one at all
    assertTrue(seedingLog.stream().anyMatch(ClientMatrixIntegrationTest::isFromClient),
        "no access log line of the seeding shows skopeo's user agent");
    seedingLogLines = seedingLog.size();
  }

  @AfterAll
  void stop() {
    TestFiles.closeAll(containerd, cluster, upstream);
  }

  @Test
  @Order(1)
  void skopeoCopy_registriesConfMirrorOnFirstNode_storesPushedDigestsAndBlobsComeFromUpstreamOnce() {
    long started = System.nanoTime();
    long blobGetsBefore = matrixBlobGets();
    Path conf = DockerHubMirrorConfig.of(upstream.url(), cluster.url(0))
        .writeRegistriesConf(work.resolve("skopeo").resolve("registries.conf"));

    for (MatrixImage matrixImage : images) {
      Path dir = work.resolve("skopeo").resolve(matrixImage.repository().replace('/', '-'));
      skopeoCopy(conf, "docker://" + matrixImage.dockerIoReference(), "dir:" + dir);

      assertEquals(matrixImage.platformManifest(), DirLayoutReader.topManifest(dir),
          "skopeo's manifest of " + matrixImage.dockerIoReference());
      Set<String> expected = new TreeSet<>(matrixImage.platformBlobs());
      expected.add(matrixImage.platformManifest().digest());
      assertEquals(expected, new TreeSet<>(DirLayoutReader.verifiedDigests(dir)),
          "skopeo's blobs of " + matrixImage.dockerIoReference());
    }

    assertEachPulledBlobFetchedUpstreamOnce("skopeo", blobGetsBefore, started);
  }

  @Test
  @Order(2)
  void podmanPull_registriesConfMirrorOnSecondNode_storesPushedDigestsAndBlobsComeFromUpstreamOnce() {
    requireInstalled("podman", Podman.isInstalled());
    long started = System.nanoTime();
    long blobGetsBefore = matrixBlobGets();
    Path conf = DockerHubMirrorConfig.of(upstream.url(), cluster.url(1))
        .writeRegistriesConf(work.resolve("podman-registries.conf"));
    Podman podman = Podman.create(work.resolve("podman"), conf, CLIENT_TIMEOUT);

    Set<String> expectedLayers = new TreeSet<>();
    for (MatrixImage matrixImage : images) {
      podman.pull(matrixImage.dockerIoReference(), PLATFORM);

      Podman.StoredImage stored = podman.inspect(matrixImage.dockerIoReference());
      String name = matrixImage.dockerIoReference();
      assertEquals(Sha256.hex(matrixImage.configDigest()), stored.id(), "podman's image ID of " + name);
      // podman records the digest the tag resolved to: the index's, for a multi-platform image
      assertEquals(matrixImage.image().digest(), stored.digest(), "podman's digest of " + name);
      assertTrue(stored.repoDigests().contains(
              "docker.io/" + matrixImage.repository() + "@" + matrixImage.image().digest()),
          "podman's repo digests of " + name + " lack the pushed top manifest: "
              + stored.repoDigests());
      assertEquals(matrixImage.diffIds(), stored.diffIds(), "podman's layers of " + name);
      expectedLayers.addAll(matrixImage.layerDigests());
    }
    assertEquals(expectedLayers, new TreeSet<>(podman.storedLayerBlobDigests()),
        "the layer blobs in podman's store");

    assertEachPulledBlobFetchedUpstreamOnce("podman", blobGetsBefore, started);
  }

  @Test
  @Order(3)
  void ctrContentFetch_hostsTomlMirrorOnThirdNode_sendsNsAndStoresPushedDigestsAndBlobsComeFromUpstreamOnce() {
    requireInstalled("containerd and ctr", Containerd.isInstalled());
    long started = System.nanoTime();
    long blobGetsBefore = matrixBlobGets();
    Path hostsDir = DockerHubMirrorConfig.of(upstream.url(), cluster.url(2))
        .writeHostsDir(work.resolve("containerd-hosts"));
    containerd = Containerd.start(work.resolve("containerd"), CLIENT_TIMEOUT);
    String mirror = URI.create(cluster.url(2)).getAuthority();

    Set<String> expected = new TreeSet<>();
    for (MatrixImage matrixImage : images) {
      List<Containerd.SentRequest> sent = containerd.fetch(CONTAINERD_NAMESPACE,
          matrixImage.dockerIoReference(), hostsDir, PLATFORM);

      assertFalse(sent.isEmpty(), "ctr's --http-dump showed no request");
      for (Containerd.SentRequest request : sent) {
        assertEquals(mirror, request.host(), "ctr sent " + request + " past the mirror");
        assertTrue(request.target().matches("/v2/" + matrixImage.repository()
                + "/(manifests|blobs)/[^?]+\\?ns=docker\\.io"),
            "ctr's request " + request + " lacks ?ns=docker.io");
      }
      expected.add(matrixImage.image().digest());
      expected.add(matrixImage.platformManifest().digest());
      expected.addAll(matrixImage.platformBlobs());
    }
    assertEquals(expected, new TreeSet<>(containerd.contentDigests(CONTAINERD_NAMESPACE)),
        "the content in containerd's store");

    assertEachPulledBlobFetchedUpstreamOnce("ctr", blobGetsBefore, started);
  }

  /**
   * After a client pulled every image: each linux/amd64 blob was fetched from upstream exactly
   * once, whichever client and node asked first; no other blob of the matrix was; and no request
   * upstream came from a client itself.
   */
  private void assertEachPulledBlobFetchedUpstreamOnce(String client, long blobGetsBefore,
      long started) {
    long expectedTotal = 0;
    for (MatrixImage matrixImage : images) {
      for (String blob : matrixImage.platformBlobs()) {
        String path = "/v2/" + matrixImage.repository() + "/blobs/" + blob;
        assertEquals(1, upstream.awaitRequests("GET", path, 1, LOG_WAIT),
            "upstream GETs of " + path + " after " + client);
        expectedTotal++;
      }
    }
    long total = matrixBlobGets();
    assertEquals(expectedTotal, total,
        "upstream blob GETs of the matrix after " + client + ": one per linux/amd64 blob, no more");
    List<String> fromClients = upstreamLogLines().stream().skip(seedingLogLines)
        .filter(ClientMatrixIntegrationTest::isFromClient)
        .toList();
    assertEquals(List.of(), fromClients, "requests that reached the upstream from a client itself");
    log.info("matrix: {} pulled {} images in {} ms, causing {} upstream blob GETs ({} in total)",
        client, images.size(), millisSince(started), total - blobGetsBefore, total);
  }

  /** Every GET of a blob of the matrix images that the upstream logged. */
  private long matrixBlobGets() {
    return images.stream()
        .mapToLong(image -> upstream.countRequests("GET", "/v2/" + image.repository() + "/blobs/.*"))
        .sum();
  }

  private List<String> upstreamLogLines() {
    try {
      return Files.readAllLines(upstream.logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + upstream.logFile(), e);
    }
  }

  private static void skopeoCopy(Path registriesConf, String source, String destination) {
    Skopeo.copyThroughRegistriesConf(registriesConf, work.resolve("skopeo").resolve("home"), PLATFORM, source,
        destination, CLIENT_TIMEOUT);
  }

  /** Whether {@code logLine} is an access log line of a request a client sent itself. */
  private static boolean isFromClient(String logLine) {
    Matcher matcher = ACCESS_LOG_USER_AGENT.matcher(logLine);
    return matcher.find() && CLIENT_USER_AGENT.matcher(matcher.group(1)).matches();
  }

  private static void requireInstalled(String what, boolean installed) {
    RequiredClient.check(what, installed);
  }

  private static long millisSince(long nanoTime) {
    return Duration.ofNanos(System.nanoTime() - nanoTime).toMillis();
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse generated JSON", e);
    }
  }
}
