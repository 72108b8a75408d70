package io.layercake.upstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Parses a {@code Retry-After} header, which RFC 9110 allows as delay seconds or as an HTTP date.
 */
final class RetryAfter {

  private RetryAfter() {}

  /** The wait the header asks for, never negative; empty when it parses as neither form. */
  static Optional<Duration> parse(String value, Instant now) {
    String text = value.trim();
    if (text.matches("\\d{1,18}")) {
      return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
    }
    try {
      Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException notADate) {
      return Optional.empty();
    }
  }
}
