package io.layercake.admin;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.SettingsChecks;
import java.time.Duration;

/**
 * Settings of the image verbs, read from {@code layercake.admin.images}.
 *
 * @param uploadIdleTimeout how long {@code load} waits for the next bytes of an upload before it
 *     gives up on the client; also how long it reads the rest of a refused upload
 * @param maxJsonSize the largest JSON file (index, manifest, config) {@code load} reads into memory
 * @param maxLoadMemory the most heap all loads in progress on the node may hold together: JSON
 *     files, manifests, member names and what is parsed from them
 * @param maxIndexDepth how many indexes deep an archive's image may nest
 * @param maxConcurrentLoads how many loads may run at once; more answer 503
 */
public record ImageVerbSettings(Duration uploadIdleTimeout, long maxJsonSize, long maxLoadMemory, int maxIndexDepth,
    int maxConcurrentLoads) {

  static final String PREFIX = "layercake.admin.images.";
  static final String UPLOAD_IDLE_TIMEOUT = PREFIX + "upload-idle-timeout";
  static final String MAX_JSON_SIZE = PREFIX + "max-json-size";
  static final String MAX_LOAD_MEMORY = PREFIX + "max-load-memory";
  static final String MAX_INDEX_DEPTH = PREFIX + "max-index-depth";
  static final String MAX_CONCURRENT_LOADS = PREFIX + "max-concurrent-loads";
  private static final String SIZE = "a size in bytes (16MiB, 65536)";

  /** The deepest nesting {@code max-index-depth} may allow: the walk recurses once per level. */
  static final int INDEX_DEPTH_CEILING = 64;

  /** Reads {@code layercake.admin.images}. */
  public static ImageVerbSettings fromConfig(Config config) {
    long maxJson = SettingsChecks.size(config, MAX_JSON_SIZE, SIZE);
    if (maxJson <= 0 || maxJson > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(MAX_JSON_SIZE + " must be positive and below 2GiB (one Java array), got "
          + maxJson);
    }
    long maxMemory = SettingsChecks.size(config, MAX_LOAD_MEMORY, SIZE);
    if (maxMemory < maxJson) {
      throw new IllegalArgumentException(MAX_LOAD_MEMORY + " must be at least " + MAX_JSON_SIZE + " (" + maxJson
          + " bytes), or no JSON file of the allowed size could load; got " + maxMemory);
    }
    int depth = integer(config, MAX_INDEX_DEPTH);
    if (depth < 1 || depth > INDEX_DEPTH_CEILING) {
      throw new IllegalArgumentException(MAX_INDEX_DEPTH + " must be from 1 to " + INDEX_DEPTH_CEILING + ", got "
          + depth);
    }
    int loads = integer(config, MAX_CONCURRENT_LOADS);
    if (loads < 1) {
      throw new IllegalArgumentException(MAX_CONCURRENT_LOADS + " must be at least 1, got " + loads);
    }
    return new ImageVerbSettings(SettingsChecks.positiveDuration(config, UPLOAD_IDLE_TIMEOUT), maxJson, maxMemory,
        depth, loads);
  }

  private static int integer(Config config, String key) {
    try {
      return config.getInt(key);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a whole number, got " + config.getValue(key).render(), e);
    }
  }
}
