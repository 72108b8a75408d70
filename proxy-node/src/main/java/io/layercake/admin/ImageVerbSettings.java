package io.layercake.admin;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * Settings of the image verbs, read from {@code layercake.admin.images}.
 *
 * @param uploadIdleTimeout how long {@code load} waits for the next bytes of an upload before it
 *     gives up on the client
 * @param maxJsonSize the largest JSON file (index, manifest, config) {@code load} reads into memory
 */
public record ImageVerbSettings(Duration uploadIdleTimeout, long maxJsonSize) {

  /** Reads {@code layercake.admin.images}. */
  public static ImageVerbSettings fromConfig(Config config) {
    long maxJson = config.getBytes("layercake.admin.images.max-json-size");
    if (maxJson <= 0) {
      throw new IllegalArgumentException("layercake.admin.images.max-json-size must be positive, got " + maxJson);
    }
    return new ImageVerbSettings(
        SettingsChecks.positiveDuration(config, "layercake.admin.images.upload-idle-timeout"), maxJson);
  }
}
