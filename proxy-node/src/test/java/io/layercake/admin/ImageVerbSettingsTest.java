package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageVerbSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void fromConfig_defaults() {
    ImageVerbSettings settings = ImageVerbSettings.fromConfig(config(""));

    assertEquals(Duration.ofSeconds(30), settings.uploadIdleTimeout());
    assertEquals(16L << 20, settings.maxJsonSize());
    assertEquals(64L << 20, settings.maxLoadMemory());
    assertEquals(8, settings.maxIndexDepth());
    assertEquals(4, settings.maxConcurrentLoads());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "upload-idle-timeout = 0s | upload-idle-timeout",
      "max-json-size = 0 | max-json-size",
      "max-json-size = lots | max-json-size",
      "max-load-memory = 1MiB | max-load-memory",
      "max-index-depth = 0 | max-index-depth",
      "max-index-depth = 65 | max-index-depth",
      "max-index-depth = deep | max-index-depth",
      "max-concurrent-loads = 0 | max-concurrent-loads"})
  void fromConfig_badValue_namesTheKey(String setting, String key) {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ImageVerbSettings.fromConfig(config("layercake.admin.images." + setting)));

    assertTrue(error.getMessage().contains("layercake.admin.images." + key), error.getMessage());
  }
}
