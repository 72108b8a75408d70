package io.layercake.manifest;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import io.layercake.UpstreamName;
import io.layercake.upstream.UpstreamSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Settings of manifest and tag serving, read from {@code layercake.manifests}.
 *
 * @param tagTtl how long a cached tag is served without asking upstream
 * @param upstreamTagTtls the upstreams whose entry sets its own {@code tag-ttl}, and that TTL
 * @param signatureTagTtl the same for the tags of signatures and attestations ({@link #ttlFor})
 * @param askTimeout how long a request waits for a tag's entity to answer
 * @param revalidateTimeout how long a tag that is already cached waits for upstream before it is
 *     served stale
 * @param memoryCacheBytes how many bytes of manifests each node keeps in memory
 * @param idleTimeout how long a tag's entity stays in memory with no request
 * @param notFoundTtl how long upstream's "no such tag" is remembered; zero remembers
 *     nothing
 * @param notFoundCacheSize how many such answers each node remembers at most
 * @param historyDepth how many manifests of a tag's history each node keeps
 * @param snapshotEvery after how many journaled events a tag's entity snapshots its state and
 *     deletes the events older than its last two snapshots
 * @param refresh the predictive refresh of hot tags
 */
public record ManifestSettings(Duration tagTtl, Map<UpstreamName, Duration> upstreamTagTtls,
    Duration signatureTagTtl, Duration askTimeout,
    Duration revalidateTimeout, long memoryCacheBytes, Duration idleTimeout, Duration notFoundTtl,
    int notFoundCacheSize, int historyDepth, int snapshotEvery, RefreshSettings refresh) {

  /**
   * The tags of the referrers fallback schema: cosign's {@code sha256-<hex>.sig}, {@code .att}
   * and {@code .sbom}, and the plain {@code sha256-<hex>} of the distribution spec's fallback.
   */
  private static final Pattern SIGNATURE_TAG = Pattern.compile("sha256-[0-9a-f]{64}(\\.(sig|att|sbom))?");

  /**
   * How long {@code tag} of {@code upstream} is served without asking upstream: the upstream's
   * own {@code tag-ttl}, else {@code layercake.manifests.tag-ttl}. A signature or attestation is added
   * to an image after it is pushed, under a tag that names the image's digest, so a mirror that
   * kept such a tag as long as any other would hide a new signature from verifiers for that long.
   */
  public Duration ttlFor(UpstreamName upstream, String tag) {
    if (SIGNATURE_TAG.matcher(tag).matches()) {
      return signatureTagTtl;
    }
    return upstreamTagTtls.getOrDefault(upstream, tagTtl);
  }

  /** Makes the map immutable. */
  public ManifestSettings {
    upstreamTagTtls = Map.copyOf(upstreamTagTtls);
  }

  /** Reads and validates {@code layercake.manifests}. */
  public static ManifestSettings fromConfig(Config config) {
    Duration ttl = SettingsChecks.nonNegativeDuration(config, "layercake.manifests.tag-ttl");
    Duration signatureTtl = SettingsChecks.nonNegativeDuration(config, "layercake.manifests.signature-tag-ttl");
    // An upstream's own tag-ttl, from its entry or the preset the entry names.
    Map<UpstreamName, Duration> upstreamTtls = new HashMap<>();
    UpstreamSettings.allFromConfig(config).forEach((name, upstream) ->
        upstream.tagTtl().ifPresent(own -> upstreamTtls.put(UpstreamName.of(name), own)));
    Duration ask = SettingsChecks.positiveDuration(config, "layercake.manifests.ask-timeout");
    Duration revalidate = config.getDuration("layercake.manifests.revalidate-timeout");
    if (revalidate.isNegative() || revalidate.isZero() || revalidate.compareTo(ask) >= 0) {
      throw new IllegalArgumentException("layercake.manifests.revalidate-timeout must be positive and"
          + " shorter than layercake.manifests.ask-timeout (" + ask + "), got " + revalidate);
    }
    long memory = config.getBytes("layercake.manifests.memory-cache-size");
    if (memory < 0) {
      throw new IllegalArgumentException(
          "layercake.manifests.memory-cache-size must not be negative, got " + memory);
    }
    Duration notFoundTtl = SettingsChecks.nonNegativeDuration(config, "layercake.manifests.not-found-ttl");
    int notFoundSize = SettingsChecks.positiveInt(config, "layercake.manifests.not-found-cache-size");
    int historyDepth = SettingsChecks.positiveInt(config, "layercake.manifests.history-depth");
    int snapshotEvery = SettingsChecks.positiveInt(config, "layercake.manifests.snapshot-every");
    return new ManifestSettings(ttl, upstreamTtls, signatureTtl, ask, revalidate, memory,
        SettingsChecks.positiveDuration(config, "layercake.manifests.idle-timeout"), notFoundTtl, notFoundSize,
        historyDepth, snapshotEvery, RefreshSettings.fromConfig(config));
  }
}
