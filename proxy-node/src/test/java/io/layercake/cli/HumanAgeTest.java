package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HumanAgeTest {

  @ParameterizedTest
  @CsvSource({
      "0, Less than a second",
      "1, 1 second",
      "59, 59 seconds",
      "60, About a minute",
      "119, About a minute",
      "120, 2 minutes",
      "3599, 59 minutes",
      "3600, About an hour",
      "7200, 2 hours",
      "169200, 47 hours",
      "172799, 2 days",
      "172800, 2 days",
      "1206000, 13 days",
      "1209600, 2 weeks",
      "5184000, 2 months",
      "63072000, 2 years"})
  void of_followsDockersThresholds(long seconds, String expected) {
    assertEquals(expected, HumanAge.of(Duration.ofSeconds(seconds)));
  }

  @Test
  void ago_appendsAgo() {
    assertEquals("3 days ago", HumanAge.ago(0, Duration.ofDays(3).toMillis()));
  }

  @Test
  void ago_future_isLessThanASecond() {
    assertEquals("Less than a second ago", HumanAge.ago(5000, 0));
  }
}
