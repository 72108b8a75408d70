package io.layercake.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.layercake.UpstreamName;
import io.layercake.manifest.ManifestSettings;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpstreamSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static String rejected(String overrides) {
    return assertThrows(ConfigException.class,
        () -> UpstreamSettings.allFromConfig(config(overrides))).getMessage();
  }

  @Test
  void fromConfig_referenceDefaultsDescribeDockerHub() {
    UpstreamSettings hub = UpstreamSettings.fromConfig(config(""), "docker-hub");

    assertEquals(URI.create("https://registry-1.docker.io"), hub.url());
    assertTrue(hub.credentials().isEmpty());
    assertEquals(List.of(URI.create("https://auth.docker.io/token")), hub.authRealms());
    assertTrue(hub.dockerHubNames());
    assertTrue(hub.namespaces().contains("docker.io"));
    assertEquals(Duration.ofSeconds(30), hub.client().idleTimeout());
    assertEquals(3, hub.client().maxAttempts());
    assertEquals(4L << 20, hub.client().maxManifestSize());
    assertEquals(256, hub.client().maxOpenRequests());
  }

  @Test
  void fromConfig_trailingSlashDropped() {
    UpstreamSettings hub = UpstreamSettings.fromConfig(
        config("layercake.upstreams.docker-hub.url = \"http://127.0.0.1:5000/\""), "docker-hub");

    assertEquals(URI.create("http://127.0.0.1:5000"), hub.url());
  }

  @Test
  void allFromConfig_extraUpstreamNeedsOnlyUrl() {
    Map<String, UpstreamSettings> all = UpstreamSettings.allFromConfig(
        config("layercake.upstreams.ghcr.url = \"https://ghcr.io\""));

    assertEquals(List.of("docker-hub", "ghcr"), List.copyOf(all.keySet()));
    UpstreamSettings ghcr = all.get("ghcr");
    assertFalse(ghcr.dockerHubNames());
    assertTrue(ghcr.credentials().isEmpty());
    assertTrue(ghcr.authRealms().isEmpty());
    assertTrue(ghcr.namespaces().isEmpty());
  }

  @Test
  void preset_suppliesUrlRealmsAndNamespaces_theEntryOverridesIt() {
    Map<String, UpstreamSettings> all = UpstreamSettings.allFromConfig(config(
        "layercake.upstreams.ghcr { preset = \"ghcr.io\", credentials { username = bot, password = s3cret } }\n"
            + "layercake.upstreams.mcr { preset = \"mcr.microsoft.com\", url = \"http://127.0.0.1:5001\" }"));

    UpstreamSettings ghcr = all.get("ghcr");
    assertEquals(URI.create("https://ghcr.io"), ghcr.url());
    assertEquals(List.of(URI.create("https://ghcr.io/token")), ghcr.authRealms());
    assertEquals(List.of("ghcr.io"), ghcr.namespaces());
    assertEquals("bot", ghcr.credentials().orElseThrow().username());
    UpstreamSettings mcr = all.get("mcr");
    assertEquals(URI.create("http://127.0.0.1:5001"), mcr.url(), "the entry's own url wins");
    assertEquals(List.of("mcr.microsoft.com"), mcr.namespaces());
  }

  @Test
  void everyPreset_isAValidHttpsUpstreamOfItsOwnHost() {
    Config reference = config("");
    for (String preset : reference.getObject(UpstreamSettings.PRESETS).keySet()) {
      UpstreamSettings settings = UpstreamSettings.fromConfig(
          config("layercake.upstreams.p.preset = \"" + preset + "\""), "p");
      assertEquals("https", settings.url().getScheme(), preset);
      assertEquals(List.of(preset), settings.namespaces(), preset);
      assertFalse(settings.dockerHubNames(), preset);
    }
  }

  @Test
  void passwordFile_isReadAndStripped_neverTogetherWithAPassword(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path token = java.nio.file.Files.writeString(dir.resolve("token"), "ghp_secret\n");
    UpstreamSettings ghcr = UpstreamSettings.allFromConfig(config(
        "layercake.upstreams.ghcr { preset = \"ghcr.io\", credentials { username = bot, password-file = \""
            + token + "\" } }")).get("ghcr");
    assertEquals("ghp_secret", ghcr.credentials().orElseThrow().password());
    assertFalse(ghcr.toString().contains("ghp_secret"), ghcr.toString());

    String both = rejected("layercake.upstreams.ghcr { preset = \"ghcr.io\", credentials { username = bot,"
        + " password = x, password-file = \"" + token + "\" } }");
    assertTrue(both.contains("password-file"), both);
    String missing = rejected("layercake.upstreams.ghcr { preset = \"ghcr.io\", credentials { username = bot,"
        + " password-file = \"" + dir.resolve("absent") + "\" } }");
    assertTrue(missing.contains("cannot read"), missing);
  }

  @Test
  void dockerHubTokenFile_fromItsEnvironmentVariable(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path token = java.nio.file.Files.writeString(dir.resolve("hub-token"), "dckr_pat_secret\n");
    // ${?VAR} finds VAR at the root before the environment: these stand in for the variables.
    Config environment = ConfigFactory.parseMap(Map.of("LAYERCAKE_UPSTREAM_USERNAME", "ci-bot",
        "LAYERCAKE_UPSTREAM_DOCKER_HUB_TOKEN_FILE", token.toString()));

    UpstreamSettings hub = UpstreamSettings.fromConfig(
        environment.withFallback(ConfigFactory.parseResources("reference.conf")).resolve(), "docker-hub");

    assertEquals(new UpstreamCredentials("ci-bot", "dckr_pat_secret"), hub.credentials().orElseThrow());
  }

  @Test
  void allowAndDeny_globsOverTheUpstreamsNames() {
    UpstreamSettings hub = UpstreamSettings.fromConfig(config(
        "layercake.upstreams.docker-hub { allow = [\"library/*\", \"myorg/*\"], deny = [\"myorg/secret*\"] }"),
        "docker-hub");
    assertTrue(hub.mirrors("library/redis"));
    assertTrue(hub.mirrors("myorg/app"));
    assertFalse(hub.mirrors("myorg/secret-app"));
    assertFalse(hub.mirrors("someone/else"));
    assertTrue(UpstreamSettings.fromConfig(config(""), "docker-hub").mirrors("anyone/anything"));
  }

  @Test
  void tagTtl_fromTheEntryOrItsPreset_reachesTheManifestSettings() {
    Config config = config("layercake.upstream-presets.\"ghcr.io\".tag-ttl = 10m\n"
        + "layercake.upstreams.ghcr.preset = \"ghcr.io\"\n"
        + "layercake.upstreams.quay { preset = \"quay.io\", tag-ttl = 0s }");

    assertEquals(Optional.of(Duration.ofMinutes(10)), UpstreamSettings.fromConfig(config, "ghcr").tagTtl());
    assertEquals(Optional.empty(), UpstreamSettings.fromConfig(config, "docker-hub").tagTtl());
    ManifestSettings manifests = ManifestSettings.fromConfig(config);
    assertEquals(Duration.ofMinutes(10), manifests.ttlFor(UpstreamName.of("ghcr"), "1"));
    assertEquals(Duration.ZERO, manifests.ttlFor(UpstreamName.of("quay"), "1"));
    assertEquals(manifests.tagTtl(), manifests.ttlFor(UpstreamName.of("docker-hub"), "1"));
    assertTrue(rejected("layercake.upstreams.ghcr { url = \"https://ghcr.io\", tag-ttl = -1s }")
        .contains("layercake.upstreams.ghcr.tag-ttl"));
  }

  @Test
  void platforms_readAndChecked() {
    UpstreamSettings quay = UpstreamSettings.fromConfig(config(
        "layercake.upstreams.quay { url = \"https://quay.io\", platforms = [\"linux/amd64\", \"linux/arm64/v8\"] }"),
        "quay");
    assertEquals(List.of("linux/amd64", "linux/arm64/v8"), quay.platforms());
    assertEquals(List.of(), UpstreamSettings.fromConfig(config(""), "docker-hub").platforms());
    String message = rejected("layercake.upstreams.docker-hub.platforms = [\"amd64\"]");
    assertTrue(message.contains("layercake.upstreams.docker-hub.platforms") && message.contains("\"amd64\""), message);
  }

  @Test
  void preset_unknown_namesKeyAndThePresets() {
    String message = rejected("layercake.upstreams.q.preset = \"quay.example\"");

    assertTrue(message.contains("layercake.upstreams.q.preset"), message);
    assertTrue(message.contains("ghcr.io") && message.contains("quay.io"), message);
  }

  @Test
  void url_notHttp_namesKey() {
    String message = rejected("layercake.upstreams.docker-hub.url = \"ftp://example.com\"");

    assertTrue(message.contains("layercake.upstreams.docker-hub.url"), message);
  }

  @Test
  void url_withPathOrUserInfo_namesKey() {
    assertTrue(rejected("layercake.upstreams.docker-hub.url = \"https://example.com/v2/\"")
        .contains("layercake.upstreams.docker-hub.url"));
    assertTrue(rejected("layercake.upstreams.docker-hub.url = \"https://u:p@example.com\"")
        .contains("layercake.upstreams.docker-hub.url"));
  }

  @Test
  void credentials_passwordWithoutUser_namesKey() {
    String message = rejected("layercake.upstreams.docker-hub.credentials.password = hunter2");

    assertTrue(message.contains("layercake.upstreams.docker-hub.credentials.username"), message);
    assertFalse(message.contains("hunter2"), message);
  }

  @Test
  void authRealms_invalidEntry_namesKey() {
    String message = rejected("layercake.upstreams.docker-hub.auth-realms = [\"not a url\"]");

    assertTrue(message.contains("layercake.upstreams.docker-hub.auth-realms"), message);
  }

  @Test
  void namespaces_claimedTwice_namesKey() {
    String message = rejected("layercake.upstreams.mirror {\n"
        + "  url = \"https://mirror.example.com\"\n"
        + "  namespaces = [\"docker.io\"]\n"
        + "}");

    assertTrue(message.contains("namespaces"), message);
    assertTrue(message.contains("docker.io"), message);
  }

  @Test
  void clientSettings_invalidValues_nameKey() {
    assertTrue(rejected("layercake.upstream-client.max-attempts = 0")
        .contains("layercake.upstream-client.max-attempts"));
    assertTrue(rejected("layercake.upstream-client.idle-timeout = 0s")
        .contains("layercake.upstream-client.idle-timeout"));
    assertTrue(rejected("layercake.upstream-client.max-backoff = 10ms")
        .contains("layercake.upstream-client.max-backoff"));
    assertTrue(rejected("layercake.upstream-client.max-open-requests = 100")
        .contains("layercake.upstream-client.max-open-requests"));
    assertTrue(rejected("layercake.upstream-client.max-manifest-size = 10")
        .contains("layercake.upstream-client.max-manifest-size"));
    assertTrue(rejected("layercake.upstream-client.connect-timeout = soon")
        .contains("layercake.upstream-client.connect-timeout"));
  }

  @Test
  void toString_hidesPassword() {
    UpstreamSettings hub = UpstreamSettings.fromConfig(config(
        "layercake.upstreams.docker-hub.credentials { username = alice, password = hunter2 }"),
        "docker-hub");

    assertTrue(hub.credentials().isPresent());
    assertTrue(hub.toString().contains("alice"));
    assertFalse(hub.toString().contains("hunter2"));
    assertFalse(hub.credentials().get().toString().contains("hunter2"));
  }
}
