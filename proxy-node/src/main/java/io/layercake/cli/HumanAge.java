package io.layercake.cli;

import java.time.Duration;

/**
 * Ages as docker prints them ({@code 3 days ago}, {@code About an hour ago}): the same thresholds
 * as docker's {@code CREATED} and {@code SINCE} columns, so the tables read alike.
 */
final class HumanAge {

  private HumanAge() {}

  /** The age of something that happened at {@code thenMillis}, seen at {@code nowMillis}. */
  static String ago(long thenMillis, long nowMillis) {
    return of(Duration.ofMillis(Math.max(0, nowMillis - thenMillis))) + " ago";
  }

  /** A duration in docker's words, without "ago". */
  static String of(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds < 1) {
      return "Less than a second";
    }
    if (seconds == 1) {
      return "1 second";
    }
    if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = duration.toMinutes();
    if (minutes == 1) {
      return "About a minute";
    }
    if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(duration.toMillis() / 3_600_000.0);
    if (hours == 1) {
      return "About an hour";
    }
    if (hours < 48) {
      return hours + " hours";
    }
    if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    }
    if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return hours / 24 / 365 + " years";
  }
}
