package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read rules are per registry and repository: the same repository name on Docker Hub and on a
 * ghcr-like registry is two owners' content, and a rule for one does not open the other.
 */
class RegistryReadRulesIntegrationTest {

  private static final String ALICE = "alice:alice-secret";
  private static final String CI = "ci-runner_1:p@ss:with:colons";

  @TempDir static Path dataDir;
  private static FakeRegistry hub;
  private static FakeRegistry ghcr;
  private static TestNode node;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    hub = FakeRegistry.start();
    ghcr = FakeRegistry.start();
    node = TestNode.start(dataDir, hub.url(), Map.of(
        "layercake.upstreams.ghcr.url", ghcr.url(),
        "layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"),
        "layercake.auth.htpasswd", AuthTestConfig.fixture().toString(),
        "layercake.auth.read-rules", List.of(
            Map.of("users", List.of("alice"), "repositories", List.of("org/*")),
            Map.of("users", List.of("ci-*"), "repositories", List.of("ghcr.io/org/*")))));
    Image fromHub = TestImage.singlePlatform(ImageFormat.OCI, 601, 900);
    Image fromGhcr = TestImage.singlePlatform(ImageFormat.OCI, 602, 900);
    FakeImages.publish(hub, "org/app", "1", fromHub);
    FakeImages.publish(ghcr, "org/app", "1", fromGhcr);
  }

  @AfterAll
  static void stop() {
    node.close();
    hub.close();
    ghcr.close();
  }

  @Test
  void aRuleForDockerHubsOrg_doesNotOpenTheSameNameOnAnotherRegistry_andTheOtherWayRound() throws Exception {
    assertEquals(200, get("/v2/org/app/manifests/1", ALICE).statusCode());
    assertEquals(200, get("/v2/ghcr.io/org/app/manifests/1", CI).statusCode());
    ghcr.resetCounts();
    hub.resetCounts();

    HttpResponse<String> aliceOnGhcr = get("/v2/ghcr.io/org/app/manifests/1", ALICE);
    HttpResponse<String> aliceViaNs = get("/v2/org/app/manifests/1?ns=ghcr.io", ALICE);
    HttpResponse<String> ciOnHub = get("/v2/org/app/manifests/1", CI);

    for (HttpResponse<String> denied : List.of(aliceOnGhcr, aliceViaNs, ciOnHub)) {
      assertEquals(403, denied.statusCode(), denied.body());
      assertTrue(denied.body().contains("DENIED"), denied.body());
    }
    assertTrue(aliceOnGhcr.body().contains("ghcr.io/org/app"), "the detail names the registry: " + aliceOnGhcr.body());
    assertEquals(0, hub.requests().size() + ghcr.requests().size(), "a denied pull asks no upstream");
  }

  @Test
  void catalog_listsOnlyWhatTheUserMayReadOnThatRegistry() throws Exception {
    assertEquals(200, get("/v2/org/app/manifests/1", ALICE).statusCode());
    assertEquals(200, get("/v2/ghcr.io/org/app/manifests/1", CI).statusCode());

    assertTrue(get("/v2/_catalog", ALICE).body().contains("org/app"));
    assertEquals("{\"repositories\":[]}", get("/v2/_catalog?ns=ghcr.io", ALICE).body());
    assertTrue(get("/v2/_catalog?ns=ghcr.io", CI).body().contains("org/app"));
    assertEquals("{\"repositories\":[]}", get("/v2/_catalog", CI).body());
  }

  private static HttpResponse<String> get(String path, String credentials) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(node.url() + path))
        .header("Accept", MirrorClient.MANIFEST_ACCEPT)
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
        .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
  }
}
