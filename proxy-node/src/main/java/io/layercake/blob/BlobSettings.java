package io.layercake.blob;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * Settings of blob serving and filling, read from {@code layercake.blobs}.
 *
 * @param fillTimeout the longest one upstream fill may take, whether or not clients still read it
 * @param askTimeout how long a request waits for the blob's entity to answer
 */
public record BlobSettings(Duration fillTimeout, Duration askTimeout) {

  /** Reads and validates {@code layercake.blobs}. */
  public static BlobSettings fromConfig(Config config) {
    return new BlobSettings(
        SettingsChecks.positiveDuration(config, "layercake.blobs.fill-timeout"),
        SettingsChecks.positiveDuration(config, "layercake.blobs.ask-timeout"));
  }
}
