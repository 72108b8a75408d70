package io.layercake.upstream;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigUtil;
import io.layercake.Glob;
import io.layercake.oci.Platform;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One upstream registry, read from {@code layercake.upstreams.<name>}, with the shared client
 * settings of {@code layercake.upstream-client}.
 *
 * <p>Only {@code url} is required in an entry: {@code credentials} default to anonymous, {@code
 * auth-realms} and {@code namespaces} to empty lists, {@code docker-hub-names} to off, so that an
 * extra upstream needs no more than its URL and namespaces. An entry's {@code preset} names one
 * of {@code layercake.upstream-presets}, which then supplies those keys, below the entry's own.
 *
 * @param name the entry's key under {@code layercake.upstreams}
 * @param url the registry's base URL, without a trailing slash (the API lives at {@code /v2/})
 * @param credentials the account to pull with, if any
 * @param authRealms token services that may receive the credentials besides the upstream itself
 * @param dockerHubNames whether one-component names get Docker Hub's {@code library/} prefix
 * @param namespaces the registry hosts clients name this upstream by ({@code ?ns=}, a path prefix)
 * @param allow the repositories mirrored, as globs over the upstream's names; empty allows all
 * @param deny the repositories never mirrored, even if allowed
 * @param tagTtl how long this upstream's cached tags are served without asking it, if the entry
 *     (or its preset) sets {@code tag-ttl}; else {@code layercake.manifests.tag-ttl} applies
 * @param platforms the platforms a prewarm of this upstream's multi-platform images takes when
 *     none or {@code all} is asked ({@code linux/amd64}); empty: docker's default, or all
 * @param client the HTTP client settings
 */
public record UpstreamSettings(
    String name,
    URI url,
    Optional<UpstreamCredentials> credentials,
    List<URI> authRealms,
    boolean dockerHubNames,
    List<String> namespaces,
    List<Glob> allow,
    List<Glob> deny,
    Optional<Duration> tagTtl,
    List<String> platforms,
    UpstreamClientSettings client) {

  /** The block that holds one entry per upstream. */
  public static final String UPSTREAMS = "layercake.upstreams";

  /** The block of well-known registries that an entry can name in its {@code preset} key. */
  static final String PRESETS = "layercake.upstream-presets";

  /** Makes the lists immutable. */
  public UpstreamSettings {
    authRealms = List.copyOf(authRealms);
    namespaces = List.copyOf(namespaces);
    allow = List.copyOf(allow);
    deny = List.copyOf(deny);
    platforms = List.copyOf(platforms);
  }

  /**
   * Whether the mirror serves {@code repository} (as the upstream names it, {@code library/}
   * included): allowed by a glob of {@code allow}, or by an empty list, and denied by none.
   */
  public boolean mirrors(String repository) {
    return (allow.isEmpty() || allow.stream().anyMatch(glob -> glob.matches(repository)))
        && deny.stream().noneMatch(glob -> glob.matches(repository));
  }

  /** Reads and validates the upstream called {@code name}; every error names its key. */
  public static UpstreamSettings fromConfig(Config config, String name) {
    String base = ConfigUtil.joinPath("layercake", "upstreams", name);
    if (!config.hasPath(base)) {
      throw new ConfigException.Missing(base);
    }
    Config entry = withPreset(config, base);
    String urlKey = base + ".url";
    URI url = httpUrl(entry, urlKey, entry.getString(urlKey));
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    if (url.getRawQuery() != null || url.getRawFragment() != null
        || !(path.isEmpty() || path.equals("/"))) {
      throw bad(entry, urlKey,
          "must be the registry's root (scheme, host and port only), got " + url);
    }
    url = URI.create(url.getScheme() + "://" + url.getRawAuthority());
    String realmsKey = base + ".auth-realms";
    List<URI> realms = strings(entry, realmsKey).stream().map(realm -> httpUrl(entry, realmsKey, realm)).toList();
    String namespacesKey = base + ".namespaces";
    List<String> namespaces = strings(entry, namespacesKey);
    if (namespaces.stream().anyMatch(String::isBlank)) {
      throw bad(entry, namespacesKey, "must not contain an empty namespace");
    }
    String hubKey = base + ".docker-hub-names";
    String ttlKey = base + ".tag-ttl";
    return new UpstreamSettings(
        name,
        url,
        credentials(entry, base + ".credentials"),
        realms,
        entry.hasPath(hubKey) && entry.getBoolean(hubKey),
        namespaces,
        globs(entry, base + ".allow"),
        globs(entry, base + ".deny"),
        entry.hasPath(ttlKey) ? Optional.of(nonNegative(entry, ttlKey)) : Optional.empty(),
        platforms(entry, base + ".platforms"),
        UpstreamClientSettings.fromConfig(entry));
  }

  /**
   * Reads every entry under {@code layercake.upstreams}, keyed and ordered by name. A namespace
   * claimed by two upstreams is an error, since a request could not be routed.
   */
  public static Map<String, UpstreamSettings> allFromConfig(Config config) {
    Map<String, UpstreamSettings> all = new TreeMap<>();
    Map<String, String> owners = new HashMap<>();
    for (String name : config.getObject(UPSTREAMS).keySet()) {
      UpstreamSettings settings = fromConfig(config, name);
      for (String namespace : settings.namespaces()) {
        String previous = owners.putIfAbsent(namespace, name);
        if (previous != null) {
          String key = ConfigUtil.joinPath("layercake", "upstreams", name, "namespaces");
          throw bad(config, key, "namespace \"" + namespace + "\" is already served by upstream \""
              + previous + "\"");
        }
      }
      all.put(name, settings);
    }
    if (all.isEmpty()) {
      throw new ConfigException.BadValue(
          config.getValue(UPSTREAMS).origin(), UPSTREAMS, "must configure at least one upstream");
    }
    return Collections.unmodifiableMap(all);
  }

  /**
   * {@code config} with the entry at {@code base} laid over the preset it names in its
   * {@code preset} key, if any, so that the rest reads one entry and names its keys.
   */
  private static Config withPreset(Config config, String base) {
    String presetKey = base + ".preset";
    if (!config.hasPath(presetKey)) {
      return config;
    }
    String preset = config.getString(presetKey);
    String presetPath = ConfigUtil.joinPath("layercake", "upstream-presets", preset);
    if (preset.isBlank() || !config.hasPath(presetPath)) {
      throw bad(config, presetKey, "names no preset: \"" + preset + "\" (presets: "
          + (config.hasPath(PRESETS) ? new TreeMap<>(config.getObject(PRESETS)).keySet() : "none") + ")");
    }
    return config.withValue(base, config.getConfig(base).withFallback(config.getConfig(presetPath)).root());
  }

  /** Hides the password (through {@link UpstreamCredentials#toString()}). */
  @Override
  public String toString() {
    return "UpstreamSettings[name=" + name + ", url=" + url + ", credentials="
        + credentials.map(UpstreamCredentials::toString).orElse("anonymous")
        + ", authRealms=" + authRealms + ", dockerHubNames=" + dockerHubNames
        + ", namespaces=" + namespaces + ", allow=" + allow + ", deny=" + deny + ", tagTtl=" + tagTtl
        + ", platforms=" + platforms
        + ", client=" + client + "]";
  }

  private static List<String> platforms(Config config, String key) {
    List<String> platforms = strings(config, key);
    for (String platform : platforms) {
      if (!Platform.isValid(platform)) {
        throw bad(config, key, "\"" + platform + "\" is not a platform: use os/arch or os/arch/variant (linux/arm64/v8)");
      }
    }
    return platforms;
  }

  /** The list at {@code key}; empty if the entry does not set it. */
  private static List<String> strings(Config config, String key) {
    return config.hasPath(key) ? config.getStringList(key) : List.of();
  }

  private static List<Glob> globs(Config config, String key) {
    try {
      return strings(config, key).stream().map(Glob::new).toList();
    } catch (IllegalArgumentException e) {
      throw bad(config, key, e.getMessage());
    }
  }

  private static Duration nonNegative(Config config, String key) {
    Duration duration = config.getDuration(key);
    if (duration.isNegative()) {
      throw bad(config, key, "must not be negative, got " + duration);
    }
    return duration;
  }

  private static Optional<UpstreamCredentials> credentials(Config config, String key) {
    String userKey = key + ".username";
    String passwordKey = key + ".password";
    String fileKey = key + ".password-file";
    String username = config.hasPath(userKey) ? config.getString(userKey) : "";
    String password = config.hasPath(passwordKey) ? config.getString(passwordKey) : "";
    String file = config.hasPath(fileKey) ? config.getString(fileKey) : "";
    if (!file.isEmpty()) {
      if (!password.isEmpty()) {
        throw bad(config, fileKey, "must not be set together with " + passwordKey);
      }
      password = secretFile(config, fileKey, file);
      passwordKey = fileKey;
    }
    if (username.isEmpty() && password.isEmpty()) {
      return Optional.empty();
    }
    if (username.isEmpty()) {
      throw bad(config, userKey, "must be set when " + passwordKey + " is");
    }
    if (password.isEmpty()) {
      throw bad(config, passwordKey, "must be set when " + userKey + " is");
    }
    return Optional.of(new UpstreamCredentials(username, password));
  }

  /**
   * The password or token in {@code file}, without the line end an editor or {@code echo} adds.
   * A Kubernetes Secret or a systemd credential mounts it there, so it never sits in a
   * configuration file or the environment.
   */
  private static String secretFile(Config config, String key, String file) {
    try {
      String secret = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (secret.isEmpty()) {
        throw bad(config, key, "names an empty file: " + file);
      }
      return secret;
    } catch (IOException | UncheckedIOException e) {
      throw bad(config, key, "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static URI httpUrl(Config config, String key, String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw bad(config, key, "not a URL: \"" + text + "\" (" + e.getReason() + ")");
    }
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw bad(config, key, "must be an http or https URL with a host, got \"" + text + "\"");
    }
    if (uri.getRawUserInfo() != null) {
      // A password in a URL ends up in every log line that prints the URL.
      throw bad(config, key, "must not contain user info; use the credentials block");
    }
    return uri;
  }

  private static ConfigException bad(Config config, String key, String problem) {
    // A key that is missing (a password without its user) has no origin of its own.
    return new ConfigException.BadValue(
        config.hasPath(key) ? config.getValue(key).origin() : config.origin(), key, problem);
  }
}
