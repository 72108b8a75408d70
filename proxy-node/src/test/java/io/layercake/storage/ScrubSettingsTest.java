package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ScrubSettingsTest {

  private static Config with(String key, Object value) {
    return ConfigFactory.parseMap(java.util.Map.of("layercake.storage.scrub." + key, value))
        .withFallback(ConfigFactory.defaultReference());
  }

  @Test
  void fromConfig_reference_documentedDefaults() {
    ScrubSettings settings = ScrubSettings.fromConfig(ConfigFactory.defaultReference());

    assertEquals(new ScrubSettings(true, 20L * 1024 * 1024, Duration.ofHours(24), Duration.ofMinutes(10)),
        settings);
  }

  @Test
  void fromConfig_off_disabled() {
    assertEquals(false, ScrubSettings.fromConfig(with("enabled", "off")).enabled());
  }

  @Test
  void fromConfig_zeroRate_namesTheKey() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ScrubSettings.fromConfig(with("rate", "0")));
    assertTrue(error.getMessage().contains("layercake.storage.scrub.rate"), error.getMessage());
  }

  @Test
  void fromConfig_rateNotASize_namesTheKey() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ScrubSettings.fromConfig(with("rate", "fast")));
    assertTrue(error.getMessage().contains("layercake.storage.scrub.rate"), error.getMessage());
  }

  @Test
  void fromConfig_negativeInterval_namesTheKey() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ScrubSettings.fromConfig(with("interval", "-1s")));
    assertTrue(error.getMessage().contains("layercake.storage.scrub.interval"), error.getMessage());
  }

  @Test
  void fromConfig_startDelayNotADuration_namesTheKey() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ScrubSettings.fromConfig(with("start-delay", "soon")));
    assertTrue(error.getMessage().contains("layercake.storage.scrub.start-delay"), error.getMessage());
  }

  @Test
  void fromConfig_enabledNotABoolean_namesTheKey() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ScrubSettings.fromConfig(with("enabled", "sometimes")));
    assertTrue(error.getMessage().contains("layercake.storage.scrub.enabled"), error.getMessage());
  }

  @Test
  void storageSettings_negativeQuarantineMaxSize_namesTheKey() {
    Config config = ConfigFactory.parseMap(java.util.Map.of("layercake.storage.quarantine-max-size", "-1"))
        .withFallback(ConfigFactory.defaultReference());
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> StorageSettings.fromConfig(config));
    assertTrue(error.getMessage().contains("layercake.storage.quarantine-max-size"), error.getMessage());
  }
}
