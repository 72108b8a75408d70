package io.layercake.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventSettingsTest {

  private static Config with(Map<String, Object> values) {
    return ConfigFactory.parseMap(values).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @Test
  void noUrl_noWebhook() {
    EventSettings settings = EventSettings.fromConfig(with(Map.of()));
    assertTrue(settings.webhook().isEmpty());
    assertEquals(100_000, settings.retain());
  }

  @Test
  void theWebhookIsShownWithoutItsSecrets() {
    EventSettings settings = EventSettings.fromConfig(with(Map.of(
        "layercake.events.webhook.url", "https://ci:hunter2@hooks.example:8443/layercake?key=s3cret",
        "layercake.events.webhook.token", "tok-123")));
    EventSettings.WebhookSettings webhook = settings.webhook().orElseThrow();
    assertEquals("https://hooks.example:8443/layercake", webhook.shown());
    for (String secret : new String[] {"hunter2", "s3cret", "tok-123"}) {
      assertFalse(webhook.toString().contains(secret), webhook.toString());
    }
  }

  @Test
  void badSettings_areRefusedWithTheKey() {
    for (Map<String, Object> bad : new Map[] {
        Map.of("layercake.events.webhook.url", "ftp://hooks.example/x"),
        Map.of("layercake.events.webhook.url", "not a url"),
        Map.of("layercake.events.webhook.url", "http://h/x", "layercake.events.webhook.max-backoff", "100ms"),
        Map.of("layercake.events.retain", 0)}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> EventSettings.fromConfig(with(bad)), bad.toString());
      assertTrue(refused.getMessage().contains("layercake.events."), refused.getMessage());
    }
  }
}
