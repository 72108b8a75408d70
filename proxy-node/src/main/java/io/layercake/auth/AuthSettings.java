package io.layercake.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.SettingsChecks;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Pull authentication, read from {@code layercake.auth}.
 *
 * @param htpasswd the htpasswd file of bcrypt hashes; empty: pull authentication is off
 * @param realm the realm named in the {@code WWW-Authenticate} challenge
 * @param readRules which user may read which repository
 * @param reloadInterval how often the file's stamp is checked for a change
 * @param verifiedCacheTtl how long a verified user and password are remembered; zero: never
 * @param verifiedCacheSize how many verified pairs are remembered at most
 */
public record AuthSettings(Optional<Path> htpasswd, String realm, ReadRules readRules,
    Duration reloadInterval, Duration verifiedCacheTtl, int verifiedCacheSize) {

  /** The key of the htpasswd file, named in every message about the file. */
  static final String HTPASSWD_KEY = "layercake.auth.htpasswd";
  /** The environment variable that sets {@link #HTPASSWD_KEY}. */
  static final String HTPASSWD_ENV = "LAYERCAKE_AUTH_HTPASSWD";

  private static final String REALM_KEY = "layercake.auth.realm";
  private static final String READ_RULES_KEY = "layercake.auth.read-rules";
  private static final String RELOAD_INTERVAL_KEY = "layercake.auth.reload-interval";
  private static final String CACHE_TTL_KEY = "layercake.auth.verified-cache-ttl";
  private static final String CACHE_SIZE_KEY = "layercake.auth.verified-cache-size";
  /** A realm goes into a quoted string of a header: printable ASCII without quote or backslash. */
  private static final Pattern REALM = Pattern.compile("[\\x20-\\x7e&&[^\"\\\\]]{1,128}");

  /** Validates every value; each error names its key. */
  public AuthSettings {
    Objects.requireNonNull(htpasswd, HTPASSWD_KEY);
    Objects.requireNonNull(readRules, READ_RULES_KEY);
    if (realm == null || !REALM.matcher(realm).matches()) {
      throw new IllegalArgumentException(REALM_KEY + " must be 1 to 128 printable ASCII characters"
          + " without '\"' or '\\', not \"" + realm + "\"");
    }
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException(RELOAD_INTERVAL_KEY + " must be positive, got " + reloadInterval);
    }
    if (verifiedCacheTtl.isNegative()) {
      throw new IllegalArgumentException(CACHE_TTL_KEY + " must be zero (verify every request) or"
          + " positive, got " + verifiedCacheTtl);
    }
    if (verifiedCacheSize < 1) {
      throw new IllegalArgumentException(CACHE_SIZE_KEY + " must be at least 1, got " + verifiedCacheSize);
    }
  }

  /**
   * Reads and validates the settings; every error names its key. The htpasswd file itself is read
   * by {@link PullAuthenticator#create}, which names the key too.
   */
  public static AuthSettings fromConfig(Config config) {
    String htpasswd = config.getString(HTPASSWD_KEY).strip();
    Optional<Path> htpasswdPath;
    try {
      htpasswdPath = htpasswd.isEmpty() ? Optional.empty() : Optional.of(Path.of(htpasswd));
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(HTPASSWD_KEY + " (" + HTPASSWD_ENV + ") is not a valid path: "
          + e.getMessage(), e);
    }
    List<? extends Config> configured;
    try {
      configured = config.getConfigList(READ_RULES_KEY);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(READ_RULES_KEY + " must be a list of"
          + " { users = [...], repositories = [...] } objects: " + e.getMessage(), e);
    }
    List<ReadRule> rules = new ArrayList<>();
    for (int i = 0; i < configured.size(); i++) {
      rules.add(ReadRule.fromConfig(configured.get(i), i));
    }
    return new AuthSettings(
        htpasswdPath,
        config.getString(REALM_KEY),
        new ReadRules(rules),
        SettingsChecks.positiveDuration(config, RELOAD_INTERVAL_KEY),
        config.getDuration(CACHE_TTL_KEY),
        config.getInt(CACHE_SIZE_KEY));
  }

  /** Whether pull authentication is on: an htpasswd file is configured. */
  public boolean enabled() {
    return htpasswd.isPresent();
  }
}
