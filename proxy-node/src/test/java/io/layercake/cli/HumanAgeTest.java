package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HumanAgeTest {

  @Test
  void of_likeDockerTables() {
    assertEquals("Less than a second ago", HumanAge.of(Duration.ofMillis(300)));
    assertEquals("1 second ago", HumanAge.of(Duration.ofSeconds(1)));
    assertEquals("45 seconds ago", HumanAge.of(Duration.ofSeconds(45)));
    assertEquals("About a minute ago", HumanAge.of(Duration.ofSeconds(90)));
    assertEquals("12 minutes ago", HumanAge.of(Duration.ofMinutes(12)));
    assertEquals("About an hour ago", HumanAge.of(Duration.ofMinutes(70)));
    assertEquals("2 hours ago", HumanAge.of(Duration.ofMinutes(100)));
    assertEquals("47 hours ago", HumanAge.of(Duration.ofHours(47)));
    assertEquals("3 days ago", HumanAge.of(Duration.ofDays(3)));
    assertEquals("2 weeks ago", HumanAge.of(Duration.ofDays(15)));
    assertEquals("5 months ago", HumanAge.of(Duration.ofDays(150)));
    assertEquals("2 years ago", HumanAge.of(Duration.ofDays(800)));
  }

  @Test
  void of_negativeClockSkew_isNow() {
    assertEquals("Less than a second ago", HumanAge.of(Duration.ofSeconds(-5)));
  }
}
