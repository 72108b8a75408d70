package io.layercake.manifest;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * Settings of the predictive refresh of hot tags, read from {@code layercake.manifests.refresh}.
 *
 * @param enabled whether hot tags are refreshed ahead of their TTL
 * @param hotPulls how many pulls within {@code hotWindow} make a tag hot
 * @param hotWindow how far back pulls count
 * @param leadTime how long before a hot tag's TTL ends its owner asks upstream
 * @param maxBytes the most blob bytes one refresh fetches ahead; a moved tag whose new blobs are
 *     bigger gets its manifests only
 */
public record RefreshSettings(boolean enabled, int hotPulls, Duration hotWindow, Duration leadTime,
    long maxBytes) {

  /** Reads and validates {@code layercake.manifests.refresh}. */
  public static RefreshSettings fromConfig(Config config) {
    return new RefreshSettings(config.getBoolean("layercake.manifests.refresh.enabled"),
        SettingsChecks.positiveInt(config, "layercake.manifests.refresh.hot-pulls"),
        SettingsChecks.positiveDuration(config, "layercake.manifests.refresh.hot-window"),
        SettingsChecks.positiveDuration(config, "layercake.manifests.refresh.lead-time"),
        SettingsChecks.size(config, "layercake.manifests.refresh.max-bytes", "bytes"));
  }
}
