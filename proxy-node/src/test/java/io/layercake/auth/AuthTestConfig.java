package io.layercake.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code layercake.auth} as tests need it: the defaults of reference.conf, with overrides, built
 * with {@link ConfigFactory#parseMap} so no test depends on the classpath's configuration.
 */
final class AuthTestConfig {

  /** The fixture made with {@code htpasswd -B -C 5}; its passwords are in its opening comment. */
  static final String FIXTURE = "users.htpasswd";

  private AuthTestConfig() {}

  /** The defaults with {@code overrides} (keys relative to {@code layercake.auth}). */
  static Config config(Map<String, Object> overrides) {
    Map<String, Object> values = new HashMap<>();
    values.put("htpasswd", "");
    values.put("realm", "layercake");
    values.put("read-rules", List.of());
    values.put("reload-interval", "10s");
    values.put("verified-cache-ttl", "5m");
    values.put("verified-cache-size", 10000);
    values.putAll(overrides);
    Map<String, Object> prefixed = new HashMap<>();
    values.forEach((key, value) -> prefixed.put("layercake.auth." + key, value));
    return ConfigFactory.parseMap(prefixed);
  }

  /** Settings with the htpasswd file at {@code htpasswd} and {@code overrides}. */
  static AuthSettings settings(Path htpasswd, Map<String, Object> overrides) {
    Map<String, Object> values = new HashMap<>(overrides);
    values.put("htpasswd", htpasswd.toString());
    return AuthSettings.fromConfig(config(values));
  }

  /** The fixture's path on disk. */
  static Path fixture() {
    try {
      return Path.of(Objects.requireNonNull(AuthTestConfig.class.getResource(FIXTURE), FIXTURE).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
