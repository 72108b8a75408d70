package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BlobSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  private static String failure(String overrides) {
    return assertThrows(IllegalArgumentException.class, () -> BlobSettings.fromConfig(config(overrides)))
        .getMessage();
  }

  @Test
  void fromConfig_defaults() {
    BlobSettings settings = BlobSettings.fromConfig(config(""));
    assertEquals(Duration.ofSeconds(30), settings.idleTimeout());
    assertEquals(Duration.ofSeconds(60), settings.notFoundTtl());
    assertEquals(10_000, settings.notFoundCacheSize());
    assertEquals(64, settings.maxFills());
    assertEquals(32, settings.maxFillsPerUpstream());
    assertEquals(256, settings.fillQueueSize());
    assertEquals(Duration.ofSeconds(20), settings.fillQueueTimeout());
    assertEquals(32L << 20, settings.readBudget());
    assertEquals(64 << 10, settings.minRead());
    assertEquals(2 << 20, settings.maxRead());
  }

  @Test
  void fromConfig_queueTimeoutNotShorterThanTheAsk_isHalfTheAsk() {
    BlobSettings settings = BlobSettings.fromConfig(config("layercake.blobs.ask-timeout = 5s"));
    assertEquals(Duration.ofMillis(2500), settings.fillQueueTimeout());
  }

  @Test
  void fromConfig_zeroTtlAndNoQueue_areAllowed() {
    BlobSettings settings = BlobSettings.fromConfig(config(
        "layercake.blobs.not-found-ttl = 0s\nlayercake.blobs.fill-queue-size = 0"));
    assertEquals(Duration.ZERO, settings.notFoundTtl());
    assertEquals(0, settings.fillQueueSize());
  }

  @Test
  void fromConfig_badValues_nameTheirKey() {
    assertTrue(failure("layercake.blobs.max-fills = 0").contains("layercake.blobs.max-fills"));
    assertTrue(failure("layercake.blobs.max-fills = 4\nlayercake.blobs.max-fills-per-upstream = 8")
        .contains("layercake.blobs.max-fills-per-upstream"));
    assertTrue(failure("layercake.blobs.fill-queue-size = -1").contains("layercake.blobs.fill-queue-size"));
    assertTrue(failure("layercake.blobs.not-found-ttl = -1s").contains("layercake.blobs.not-found-ttl"));
    assertTrue(failure("layercake.blobs.not-found-cache-size = 0").contains("layercake.blobs.not-found-cache-size"));
    assertTrue(failure("layercake.blobs.idle-timeout = 0s").contains("layercake.blobs.idle-timeout"));
    assertTrue(failure("layercake.blobs.read-size-min = 1KiB").contains("layercake.blobs.read-size-min"));
    assertTrue(failure("layercake.blobs.read-size-max = 1GiB").contains("layercake.blobs.read-size-max"));
    assertTrue(failure("layercake.blobs.read-budget = 1MiB").contains("layercake.blobs.read-budget"));
    assertTrue(failure("layercake.blobs.read-size-min = 1MiB\nlayercake.blobs.read-size-max = 512KiB")
        .contains("read-size-max"));
  }
}
