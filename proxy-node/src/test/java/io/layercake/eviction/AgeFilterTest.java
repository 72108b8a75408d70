package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AgeFilterTest {

  @Test
  void parse_dockerStyleDurations() {
    assertEquals(Duration.ofHours(24), AgeFilter.parse("24h"));
    assertEquals(Duration.ofDays(7), AgeFilter.parse("7d"));
    assertEquals(Duration.ofMinutes(90), AgeFilter.parse("1h30m"));
    assertEquals(Duration.ofSeconds(5), AgeFilter.parse("5s"));
  }

  @Test
  void parse_malformed_isRefused() {
    for (String bad : new String[] {"", "24", "h", "1y", "-1h", "0s", "1.5h", "24h ", "2026-01-01"}) {
      assertThrows(IllegalArgumentException.class, () -> AgeFilter.parse(bad), bad);
    }
  }
}
