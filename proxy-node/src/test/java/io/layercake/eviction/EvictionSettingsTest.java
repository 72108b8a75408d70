package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.layercake.Glob;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EvictionSettingsTest {

  private static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  private static String failure(String overrides) {
    return assertThrows(IllegalArgumentException.class, () -> EvictionSettings.fromConfig(config(overrides)))
        .getMessage();
  }

  @Test
  void fromConfig_defaults() {
    EvictionSettings settings = EvictionSettings.fromConfig(config(""));
    assertEquals(50L * 1024 * 1024 * 1024, settings.maxSize());
    assertTrue(settings.lowWater() < settings.highWater());
    assertEquals(0, settings.rules().size());
    assertEquals(Duration.ofHours(1), settings.ruleInterval());
  }

  @Test
  void fromConfig_readsSizesAndRules() {
    EvictionSettings settings = EvictionSettings.fromConfig(config(
        "layercake.storage.max-size = 200MB\n"
            + "layercake.eviction.rules = [ { match = \"library/*\", unused-for = 30d },"
            + " { match = \"*\", tag = \"pr-*\", max-age = 7d } ]"));
    assertEquals(200_000_000L, settings.maxSize());
    assertEquals(2, settings.rules().size());
    AgeRule first = settings.rules().get(0);
    assertEquals(Duration.ofDays(30), first.unusedFor());
    assertEquals(EvictionReason.UNUSED_FOR, first.reason());
    assertTrue(first.appliesTo("library/redis", "7"));
    AgeRule second = settings.rules().get(1);
    assertEquals(Duration.ofDays(7), second.maxAge());
    assertTrue(second.appliesTo("myorg/app", "pr-12"));
    assertEquals(false, second.appliesTo("myorg/app", "main"));
  }

  @Test
  void fromConfig_badSize_namesTheKey() {
    assertTrue(failure("layercake.storage.max-size = lots").contains("layercake.storage.max-size"));
    assertTrue(failure("layercake.storage.max-size = 0").contains("layercake.storage.max-size"));
  }

  @Test
  void fromConfig_lowNotBelowHigh_isRefused() {
    String message = failure("layercake.storage.high-water = 0.8\nlayercake.storage.low-water = 0.8");
    assertTrue(message.contains("layercake.storage.low-water"), message);
    assertTrue(failure("layercake.storage.high-water = 1.5").contains("layercake.storage.high-water"));
    assertTrue(failure("layercake.storage.low-water = 0").contains("layercake.storage.low-water"));
  }

  @Test
  void fromConfig_badRules_nameTheRule() {
    assertTrue(failure("layercake.eviction.rules = [ { match = \"*\" } ]").contains("rules[0]"));
    assertTrue(failure("layercake.eviction.rules = [ { match = \"*\", unused-for = 1d, max-age = 2d } ]")
        .contains("exactly one"));
    assertTrue(failure("layercake.eviction.rules = [ { match = \"*\", unused-for = soon } ]").contains("rules[0]"));
    assertTrue(failure("layercake.eviction.rules = [ { match = \"*\", unused-for = -1d } ]").contains("positive"));
    assertTrue(failure("layercake.eviction.rules = [ { match = \"*\", unused-for = 1d, repo = x } ]")
        .contains("unknown key 'repo'"));
    assertTrue(failure("layercake.eviction.rules = [ { unused-for = 1d } ]").contains("needs match"));
    assertTrue(failure("layercake.eviction.rules = [ { match = \"[x]\", unused-for = 1d } ]").contains("rules[0]"));
  }

  @Test
  void fromConfig_badInterval_isRefused() {
    assertThrows(RuntimeException.class, () -> EvictionSettings.fromConfig(config("layercake.eviction.rule-interval = 0s")));
  }

  @Test
  void isDue_unusedForCountsFromLastPull_maxAgeFromCaching() {
    AgeRule unused = new AgeRule(0, Glob.ANY, Glob.ANY, Duration.ofDays(30), null);
    long day = Duration.ofDays(1).toMillis();
    long now = 100 * day;
    assertTrue(unused.isDue(now, now - 31 * day, now - 1 * day));
    assertEquals(false, unused.isDue(now, now - 29 * day, now - 90 * day));
    AgeRule old = new AgeRule(1, Glob.ANY, new Glob("pr-*"), null, Duration.ofDays(7));
    assertTrue(old.isDue(now, now, now - 8 * day));
    assertEquals(false, old.isDue(now, now - 90 * day, now - 6 * day));
  }

  @Test
  void cappedToVolume_smallDisk_capFitsTheDiskLessItsReserve() {
    EvictionSettings settings = new EvictionSettings(50L << 30, 0.95, 0.85, java.time.Duration.ofHours(1),
        java.util.List.of(), 10, 0.1, EvictionSettings.DEFAULT_NODE_TIMEOUT);
    assertEquals(90_000_000L, settings.cappedToVolume(100_000_000L).maxSize());
    assertEquals(50L << 30, settings.cappedToVolume(1L << 40).maxSize(), "a large disk keeps max-size");
  }
}
