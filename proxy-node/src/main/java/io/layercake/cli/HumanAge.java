package io.layercake.cli;

import java.time.Duration;

/**
 * Ages as docker prints them in its tables: {@code 45 seconds ago}, {@code About a minute ago},
 * {@code 3 hours ago}, {@code 3 days ago}, {@code 2 weeks ago}, {@code 5 months ago},
 * {@code 2 years ago}. Each unit is used until there are two of the next one.
 */
final class HumanAge {

  private HumanAge() {}

  static String of(Duration age) {
    return span(age.isNegative() ? Duration.ZERO : age) + " ago";
  }

  private static String span(Duration age) {
    long seconds = age.toSeconds();
    if (seconds < 1) {
      return "Less than a second";
    }
    if (seconds < 60) {
      return seconds == 1 ? "1 second" : seconds + " seconds";
    }
    long minutes = age.toMinutes();
    if (minutes < 60) {
      return minutes == 1 ? "About a minute" : minutes + " minutes";
    }
    // Hours round to the nearest, as a reader would say "about 2 hours" for 1 h 40 min.
    long hours = (age.toMinutes() + 30) / 60;
    if (hours < 48) {
      return hours == 1 ? "About an hour" : hours + " hours";
    }
    long days = hours / 24;
    if (days < 14) {
      return days + " days";
    }
    if (days < 60) {
      return days / 7 + " weeks";
    }
    if (days < 730) {
      return days / 30 + " months";
    }
    return days / 365 + " years";
  }
}
