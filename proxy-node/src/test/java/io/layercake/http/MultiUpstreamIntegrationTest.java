package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.StoredBlobs;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import io.layercake.transport.HttpTransport;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * One node mirroring two registries: Docker Hub (the default) and a ghcr-like one, each a fake
 * with its own content. Requests pick the registry in the three forms clients send: a host as the
 * path's first component (podman's, CRI-O's and skopeo's prefix mirrors, containerd's
 * override_path), containerd's {@code ?ns=}, or neither (dockerd: Docker Hub).
 */
class MultiUpstreamIntegrationTest {

  @TempDir static Path dataDir;
  private static FakeRegistry hub;
  private static FakeRegistry ghcr;
  private static TestNode node;
  private static RegistryClient client;

  @BeforeAll
  static void start() {
    hub = FakeRegistry.start();
    ghcr = FakeRegistry.start();
    node = TestNode.start(dataDir, hub.url(), Map.of(
        "layercake.upstreams.ghcr.url", ghcr.url(),
        "layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"),
        "layercake.upstreams.ghcr.deny", List.of("org/private*"),
        "layercake.upstreams.docker-hub.allow", List.of("library/*", "org/*"),
        "layercake.manifests.signature-tag-ttl", "0s",
        "layercake.upstreams.docker-hub.tag-ttl", "0s"));
    client = new RegistryClient(node.url());
  }

  @AfterAll
  static void stop() {
    node.close();
    hub.close();
    ghcr.close();
  }

  @Test
  void sameRepositoryOnTwoRegistries_isTwoImages_andTheirSharedBlobIsFetchedOnce() {
    Image fromHub = TestImage.singlePlatform(ImageFormat.OCI, 401, 3000, 5000);
    Image fromGhcr = TestImage.singlePlatform(ImageFormat.OCI, 402, 4000);
    FakeImages.publish(hub, "org/app", "1", fromHub);
    FakeImages.publish(ghcr, "org/app", "1", fromGhcr);
    // The hub's image under another name on ghcr: its blobs are the same content.
    FakeImages.publish(ghcr, "org/copy", "1", fromHub);

    pull("/v2/org/app", fromHub);
    pull("/v2/ghcr.io/org/app", fromGhcr);
    assertNotEquals(fromHub.digest(), fromGhcr.digest());
    for (String digest : fromGhcr.blobDigests()) {
      assertEquals(1, ghcr.count("GET", "/v2/org/app/blobs/" + digest), digest);
    }

    pull("/v2/ghcr.io/org/copy", fromHub);
    for (String digest : fromHub.blobDigests()) {
      assertEquals(1, hub.count("GET", "/blobs/" + digest), "from the hub once: " + digest);
      assertEquals(0, ghcr.count("GET", "/blobs/" + digest), "stored by digest, never fetched again: " + digest);
    }
    assertTrue(StoredBlobs.committed(dataDir).containsAll(fromHub.blobDigests()));

    // Pulled again, in either form: no upstream blob GET.
    hub.resetCounts();
    ghcr.resetCounts();
    pull("/v2/ghcr.io/org/app", fromGhcr);
    pull("/v2/org/app", fromHub);
    pull("/v2/docker.io/org/app", fromHub);
    assertEquals(0, hub.count("GET", "/blobs/") + ghcr.count("GET", "/blobs/"));
  }

  @Test
  void namespaceQuery_choosesTheRegistry_andIsEchoed() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 403, 2000);
    FakeImages.publish(ghcr, "team/tool", "2", image);

    HttpResponse<byte[]> manifest = client.get("/v2/team/tool/manifests/2?ns=ghcr.io",
        "Accept", MirrorClient.MANIFEST_ACCEPT);
    HttpResponse<byte[]> prefixedToo = client.get("/v2/ghcr.io/team/tool/manifests/2?ns=ghcr.io",
        "Accept", MirrorClient.MANIFEST_ACCEPT);

    assertEquals(200, manifest.statusCode(), body(manifest));
    assertArrayEquals(image.manifest().bytes(), manifest.body());
    assertEquals("ghcr.io", manifest.headers().firstValue("OCI-Namespace").orElse(""));
    assertEquals(200, prefixedToo.statusCode(), body(prefixedToo));
    assertEquals(0, hub.count("GET", "team/tool"));
  }

  @Test
  void dottedFirstComponent_thatNamesNoRegistry_isARepositoryOfARegistryOtherThanDockerHub() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 407, 900);
    FakeImages.publish(ghcr, "my.team/app", "1", image);

    HttpResponse<byte[]> viaNs = client.get("/v2/my.team/app/manifests/1?ns=ghcr.io", "Accept", MirrorClient.MANIFEST_ACCEPT);
    HttpResponse<byte[]> viaPrefix = client.get("/v2/ghcr.io/my.team/app/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);

    assertEquals(200, viaNs.statusCode(), body(viaNs));
    assertEquals(image.digest(), RegistryClient.digestOf(viaNs.body()));
    assertEquals(200, viaPrefix.statusCode(), body(viaPrefix));
  }

  @Test
  void signatureTags_areRevalidatedAfterTheirShortTtl_otherTagsAreNot() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 405, 1500);
    Image signature = TestImage.singlePlatform(ImageFormat.OCI, 406, 100);
    String signatureTag = image.digest().replace(':', '-') + ".sig";
    FakeImages.publish(ghcr, "org/signed", "1", image);
    FakeImages.publish(ghcr, "org/signed", signatureTag, signature);

    for (int round = 0; round < 2; round++) {
      assertEquals(200, client.get("/v2/ghcr.io/org/signed/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT)
          .statusCode());
      HttpResponse<byte[]> sig = client.get("/v2/ghcr.io/org/signed/manifests/" + signatureTag,
          "Accept", MirrorClient.MANIFEST_ACCEPT);
      assertEquals(200, sig.statusCode(), body(sig));
      assertEquals(signature.digest(), RegistryClient.digestOf(sig.body()));
    }

    // signature-tag-ttl is 0s here: the second pull of the signature asked upstream again; the
    // image's tag (tag-ttl 5m) did not.
    assertEquals(1, ghcr.count("HEAD", "/v2/org/signed/manifests/" + signatureTag));
    assertEquals(0, ghcr.count("HEAD", "/v2/org/signed/manifests/1$"));
    // Like GHCR, this fake has no referrers API: its 404 is passed on, so clients use the tags.
    HttpResponse<byte[]> referrers = client.get("/v2/ghcr.io/org/signed/referrers/" + image.digest());
    assertEquals(404, referrers.statusCode(), body(referrers));
    assertEquals(1, ghcr.count("GET", "/v2/org/signed/referrers/"));
  }

  @Test
  void upstreamTagTtl_appliesToItsRegistryOnly() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 408, 700);
    FakeImages.publish(hub, "org/ttl", "1", image);
    FakeImages.publish(ghcr, "org/ttl", "1", image);

    for (int round = 0; round < 2; round++) {
      pull("/v2/org/ttl", image);
      pull("/v2/ghcr.io/org/ttl", image);
    }

    // Docker Hub's entry sets tag-ttl 0s here: its tag was asked again; ghcr's (5m) was not.
    assertEquals(1, hub.count("HEAD", "/v2/org/ttl/manifests/1$"));
    assertEquals(0, ghcr.count("HEAD", "/v2/org/ttl/manifests/1$"));
  }

  @Test
  void tagsListNextPage_staysOnTheRegistryAndPathTheClientUsed() {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 409, 300);
    for (String tag : List.of("a", "b", "c")) {
      FakeImages.publish(ghcr, "org/paged", tag, image);
    }

    HttpResponse<byte[]> first = client.get("/v2/ghcr.io/org/paged/tags/list?n=1");
    assertEquals(200, first.statusCode(), body(first));
    assertTrue(body(first).contains("\"a\""), body(first));
    String next = first.headers().firstValue("Link").orElseThrow();
    assertEquals("</v2/ghcr.io/org/paged/tags/list?last=a&n=1>; rel=\"next\"", next);
    HttpResponse<byte[]> second = client.get(next.substring(1, next.indexOf('>')));
    assertTrue(body(second).contains("\"b\"") && !body(second).contains("\"a\""), body(second));

    HttpResponse<byte[]> viaNs = client.get("/v2/org/paged/tags/list?n=2&ns=ghcr.io");
    assertEquals("</v2/org/paged/tags/list?last=b&n=2&ns=ghcr.io>; rel=\"next\"",
        viaNs.headers().firstValue("Link").orElseThrow());
  }

  @Test
  void dockerIoPrefix_isDockerHub_withLibraryForOneComponentNames() {
    Image image = TestImage.singlePlatform(ImageFormat.DOCKER, 404, 1000);
    FakeImages.publish(hub, "library/alpine", "3", image);

    pull("/v2/docker.io/alpine", image, "3");
    pull("/v2/docker.io/library/alpine", image, "3");
    pull("/v2/alpine", image, "3");
  }

  @Test
  void unknownRegistryOrDeniedRepository_isNameUnknown_andNoUpstreamIsAsked_disagreeingNamespace_isBadRequest() {
    hub.resetCounts();
    ghcr.resetCounts();
    // Every request the node sends out is logged (at debug, by where it goes): the unknown hosts
    // below are in no upstream's entry, so a connection to them could only come from the request.
    Logger transport = (Logger) LoggerFactory.getLogger(HttpTransport.class);
    ListAppender<ILoggingEvent> sent = new ListAppender<>();
    sent.start();
    Level level = transport.getLevel();
    transport.setLevel(Level.DEBUG);
    transport.addAppender(sent);
    try {
      for (String path : List.of("/v2/quay.io/org/app/manifests/1", "/v2/localhost/org/app/manifests/1",
          "/v2/registry.example:5000/org/app/blobs/sha256:" + "a".repeat(64),
          "/v2/org/app/manifests/1?ns=quay.io", "/v2/ghcr.io/org/app/tags/list?ns=quay.io",
          "/v2/ghcr.io/org/private-app/manifests/1", "/v2/ghcr.io/org/private/blobs/sha256:" + "b".repeat(64),
          "/v2/someone/else/manifests/1", "/v2/docker.io/someone/else/manifests/1",
          "/v2/quay.io/org/app/referrers/sha256:" + "c".repeat(64))) {
        HttpResponse<byte[]> response = client.get(path, "Accept", MirrorClient.MANIFEST_ACCEPT);
        assertEquals(404, response.statusCode(), path + ": " + body(response));
        assertTrue(body(response).contains("NAME_UNKNOWN"), path + ": " + body(response));
      }
      HttpResponse<byte[]> disagreeing = client.get("/v2/ghcr.io/org/app/manifests/1?ns=docker.io",
          "Accept", MirrorClient.MANIFEST_ACCEPT);
      assertEquals(400, disagreeing.statusCode(), body(disagreeing));
      assertTrue(body(disagreeing).contains("NAME_INVALID"), body(disagreeing));
      assertEquals(0, hub.requests().size() + ghcr.requests().size(), "no upstream was asked");
      assertEquals(List.of(), sent.list.stream().map(ILoggingEvent::getFormattedMessage).toList(), "no request left the node");

      // The control: a request the node does send out is in that log, by its upstream's address.
      client.get("/v2/ghcr.io/org/absent/manifests/1", "Accept", MirrorClient.MANIFEST_ACCEPT);
      String ghcrAddress = URI.create(ghcr.url()).getAuthority();
      assertTrue(sent.list.stream().anyMatch(event -> event.getFormattedMessage().endsWith("://" + ghcrAddress)),
          sent.list.toString());
    } finally {
      transport.detachAppender(sent);
      transport.setLevel(level);
    }
  }

  private static void pull(String prefix, Image image) {
    pull(prefix, image, "1");
  }

  /** Pulls {@code image}'s manifest by tag and every blob, through {@code prefix}, and checks the bytes. */
  private static void pull(String prefix, Image image, String tag) {
    HttpResponse<byte[]> manifest = client.get(prefix + "/manifests/" + tag, "Accept", MirrorClient.MANIFEST_ACCEPT);
    assertEquals(200, manifest.statusCode(), prefix + ": " + body(manifest));
    assertEquals(image.digest(), RegistryClient.digestOf(manifest.body()), prefix);
    for (String digest : image.blobDigests()) {
      HttpResponse<byte[]> blob = client.get(prefix + "/blobs/" + digest);
      assertEquals(200, blob.statusCode(), prefix + " " + digest + ": " + body(blob));
      assertEquals(digest, RegistryClient.digestOf(blob.body()), prefix);
    }
  }

  private static String body(HttpResponse<byte[]> response) {
    return new String(response.body(), StandardCharsets.UTF_8);
  }
}
