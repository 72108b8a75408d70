package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.RegistryClient;
import io.layercake.testkit.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 5: upstream credentials are the mirror's, not everyone's. A node with upstream
 * credentials and no pull authentication refuses to start, unless the operator says every client
 * may use them; with pull authentication it starts.
 */
class UpstreamCredentialsGuardIntegrationTest {

  private static final Map<String, Object> CREDENTIALS = Map.of(
      "layercake.upstreams.docker-hub.credentials.username", "mirror-account",
      "layercake.upstreams.docker-hub.credentials.password", "account-token-7c1d");

  @TempDir Path work;

  @Test
  void start_upstreamCredentialsWithoutPullAuth_refusedNamingTheWayOut() {
    try (FakeRegistry upstream = FakeRegistry.start()) {
      IllegalStateException refused = assertThrows(IllegalStateException.class,
          () -> TestNode.start(work.resolve("data"), upstream.url(), CREDENTIALS));
      assertTrue(refused.getMessage().contains("layercake.auth.htpasswd"), refused.getMessage());
      assertTrue(refused.getMessage().contains("allow-anonymous-with-upstream-credentials"), refused.getMessage());
      assertTrue(!refused.getMessage().contains("account-token-7c1d"), refused.getMessage());
    }
  }

  @Test
  void start_upstreamCredentialsAllowedForEveryone_serves() {
    Map<String, Object> settings = new java.util.HashMap<>(CREDENTIALS);
    settings.put("layercake.auth.allow-anonymous-with-upstream-credentials", "on");
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(work.resolve("data"), upstream.url(), settings)) {
      assertEquals(200, new RegistryClient(node.url()).get("/v2/").statusCode());
    }
  }

  @Test
  void start_upstreamCredentialsWithPullAuth_servesOnlyUsers() throws Exception {
    Path htpasswd = Files.copy(Path.of(getClass().getResource("/io/layercake/auth/users.htpasswd").toURI()),
        work.resolve("users.htpasswd"));
    Map<String, Object> settings = new java.util.HashMap<>(CREDENTIALS);
    settings.put("layercake.auth.htpasswd", htpasswd.toString());
    try (FakeRegistry upstream = FakeRegistry.start();
        TestNode node = TestNode.start(work.resolve("data"), upstream.url(), settings)) {
      assertEquals(401, new RegistryClient(node.url()).get("/v2/").statusCode());
    }
  }
}
