package io.layercake.admin;

import com.typesafe.config.Config;

/**
 * The admin API's settings, read from {@code layercake.admin}.
 *
 * @param token the bearer token every admin request must carry; empty switches the API off
 */
public record AdminSettings(String token) {

  /** Reads {@code layercake.admin}. */
  public static AdminSettings fromConfig(Config config) {
    return new AdminSettings(config.getString("layercake.admin.token").trim());
  }

  /** Whether the admin API is on. */
  public boolean enabled() {
    return !token.isEmpty();
  }

  /** Hides the token. */
  @Override
  public String toString() {
    return "AdminSettings[token=" + (token.isEmpty() ? "none (admin off)" : "****") + "]";
  }
}
