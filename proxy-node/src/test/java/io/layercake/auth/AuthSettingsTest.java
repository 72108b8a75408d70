package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthSettingsTest {

  @Test
  void fromConfig_defaultsAreOff() {
    AuthSettings settings = AuthSettings.fromConfig(AuthTestConfig.config(Map.of()));

    assertFalse(settings.enabled());
    assertEquals(Optional.empty(), settings.htpasswd());
    assertEquals("layercake", settings.realm());
    assertEquals(ReadRules.ALLOW_ALL, settings.readRules());
    assertEquals(Duration.ofSeconds(10), settings.reloadInterval());
    assertEquals(Duration.ofMinutes(5), settings.verifiedCacheTtl());
    assertEquals(10000, settings.verifiedCacheSize());
  }

  @Test
  void fromConfig_htpasswdPathTurnsItOn() {
    AuthSettings settings = AuthSettings.fromConfig(AuthTestConfig.config(Map.of(
        "htpasswd", " /etc/layercake/users.htpasswd ", "realm", "registry mirror",
        "verified-cache-ttl", "0s")));

    assertTrue(settings.enabled());
    assertEquals(Optional.of(Path.of("/etc/layercake/users.htpasswd")), settings.htpasswd());
    assertEquals("registry mirror", settings.realm());
    assertEquals(Duration.ZERO, settings.verifiedCacheTtl(), "zero verifies every request");
  }

  @Test
  void fromConfig_errorsNameTheKey() {
    assertError(Map.of("realm", ""), "layercake.auth.realm must be 1 to 128 printable ASCII characters");
    assertError(Map.of("realm", "a\"b"), "layercake.auth.realm must be 1 to 128 printable ASCII characters");
    assertError(Map.of("realm", "a\\b"), "layercake.auth.realm must be 1 to 128 printable ASCII characters");
    assertError(Map.of("realm", "caf\u00e9"), "layercake.auth.realm must be 1 to 128 printable ASCII characters");
    assertError(Map.of("reload-interval", "0s"), "layercake.auth.reload-interval must be positive");
    assertError(Map.of("verified-cache-ttl", "-1s"), "layercake.auth.verified-cache-ttl must be zero");
    assertError(Map.of("verified-cache-size", 0), "layercake.auth.verified-cache-size must be at least 1");
    assertError(Map.of("htpasswd", "a\u0000b"), "layercake.auth.htpasswd (LAYERCAKE_AUTH_HTPASSWD) is not a valid path");
  }

  @Test
  void fromConfig_typeErrorsNameTheKey() {
    String message = assertThrows(RuntimeException.class, () -> AuthSettings.fromConfig(
        AuthTestConfig.config(Map.of("reload-interval", "soon")))).getMessage();

    assertTrue(message.contains("layercake.auth.reload-interval"), message);
  }

  private static void assertError(Map<String, Object> overrides, String expectedStart) {
    String message = assertThrows(IllegalArgumentException.class,
        () -> AuthSettings.fromConfig(AuthTestConfig.config(overrides))).getMessage();
    assertTrue(message.startsWith(expectedStart), message);
  }
}
