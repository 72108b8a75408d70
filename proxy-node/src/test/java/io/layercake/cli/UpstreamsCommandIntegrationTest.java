package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestImage;
import io.layercake.testkit.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code layercake upstreams}: each upstream's account and the pull limit it last reported, read
 * from its manifest answers: a Docker-Hub-like one with an account and a limit, one that reports
 * no limit, and one never asked yet.
 */
class UpstreamsCommandIntegrationTest {

  private static final String TOKEN = "upstreams-token";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dataDir;

  @Test
  void upstreams_showsAccountsAndTheLimitsReported_neverAPassword() throws Exception {
    try (FakeRegistry hub = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true)
            .credentials("ci-bot", "hub-secret-token").pullLimit(5, Duration.ofHours(2)));
        FakeRegistry ghcr = FakeRegistry.start(FakeRegistry.Options.defaults().rateLimit(0));
        FakeRegistry quay = FakeRegistry.start();
        TestNode node = TestNode.start(dataDir, hub.url(), Map.of(
            "layercake.admin.token", TOKEN,
            "layercake.upstreams.docker-hub.credentials.username", "ci-bot",
            "layercake.upstreams.docker-hub.credentials.password", "hub-secret-token",
            "layercake.upstreams.docker-hub.auth-realms", List.of(hub.realm()),
            "layercake.auth.allow-anonymous-with-upstream-credentials", "on",
            "layercake.upstreams.ghcr.url", ghcr.url(),
            "layercake.upstreams.ghcr.namespaces", List.of("ghcr.io"),
            "layercake.upstreams.quay.url", quay.url(),
            "layercake.upstreams.quay.namespaces", List.of("quay.io")))) {
      Image image = TestImage.singlePlatform(ImageFormat.OCI, 901, 500);
      FakeImages.publish(hub, "library/app", "1", image);
      FakeImages.publish(ghcr, "org/app", "1", image);
      RegistryClient client = new RegistryClient(node.url());
      for (String path : List.of("/v2/library/app/manifests/1", "/v2/library/app/manifests/" + image.digest(),
          "/v2/ghcr.io/org/app/manifests/1")) {
        assertEquals(200, client.get(path, "Accept", MirrorClient.MANIFEST_ACCEPT).statusCode(), path);
      }
      Map<String, String> env = Map.of("LAYERCAKE_ADMIN_TOKEN", TOKEN, "LAYERCAKE_URL", node.url());

      LayercakeCli.Output json = LayercakeCli.run(env, "upstreams", "--format", "json");
      LayercakeCli.Output table = LayercakeCli.run(env, "upstreams");

      assertEquals(0, json.status(), json.err());
      List<JsonNode> rows = new ArrayList<>();
      for (String line : json.out().strip().split("\n")) {
        rows.add(JSON.readTree(line));
      }
      assertEquals(List.of("docker-hub", "ghcr", "quay"), rows.stream().map(row -> row.get("Name").asText()).toList());
      JsonNode hubRow = rows.get(0);
      assertEquals("docker.io", hubRow.get("Registry").asText());
      assertEquals("ci-bot", hubRow.get("User").asText());
      assertEquals("5 per 2h", hubRow.get("Limit").asText());
      assertEquals("4", hubRow.get("Remaining").asText(), "one manifest GET counted; the one by digest was cached");
      assertEquals("127.0.0.1", hubRow.get("Source").asText());
      assertTrue(hubRow.get("Checked").asText().endsWith("ago"), hubRow.toString());
      assertEquals("ok", hubRow.get("Budget").asText());
      assertEquals("1 user", hubRow.get("Spent").asText(), "the one manifest GET, a client's");
      assertEquals("none", rows.get(1).get("Limit").asText(), "ghcr reported no limit");
      assertEquals("1 user", rows.get(1).get("Spent").asText());
      assertEquals("0", rows.get(2).get("Spent").asText());
      assertEquals("anonymous", rows.get(1).get("User").asText());
      assertEquals("-", rows.get(2).get("Limit").asText(), "quay was never asked");
      assertEquals("never", rows.get(2).get("Checked").asText());
      assertEquals("in 2 hours", hubRow.get("Resets").asText(), "the 2 h window after the report");
      assertEquals("-", rows.get(1).get("Resets").asText(), "no limit, no window");

      assertEquals(0, table.status(), table.err());
      assertTrue(table.out().startsWith("NAME "), table.out());
      assertTrue(table.out().lines().anyMatch(line -> line.matches(
          "docker-hub +docker\\.io +ci-bot +5 per 2h +4 +127\\.0\\.0\\.1 +.* ago +in 2 hours +ok +1 user")), table.out());
      assertTrue(table.out().contains("all 1 node(s) together"), table.out());
      assertFalse(json.out().contains("hub-secret-token") || table.out().contains("hub-secret-token"));
    }
  }
}
