package io.layercake.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The pull quota an upstream last reported, from Docker Hub's {@code ratelimit-limit} and {@code
 * ratelimit-remaining} headers ({@code 100;w=21600}: 100 pulls per 21600 s window) and {@code
 * docker-ratelimit-source} (the address or account the limit counts). Docker Hub sends them on
 * manifest answers; a manifest answer without them means the pull was not limited
 * ({@link #unlimited}). Before any manifest answer the status is {@link #UNKNOWN}.
 *
 * @param limit pulls allowed per window
 * @param remaining pulls left in the current window
 * @param window the window's length
 * @param source what upstream counts the pulls against, if it said
 * @param observedAt when the answer arrived
 */
public record RateLimitStatus(
    OptionalLong limit, OptionalLong remaining, Optional<Duration> window, Optional<String> source,
    Optional<Instant> observedAt) {

  /** Nothing reported yet. */
  public static final RateLimitStatus UNKNOWN =
      new RateLimitStatus(OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
          Optional.empty(), Optional.empty());

  /** The longest source value kept: an address or an account id, never a document. */
  private static final int MAX_SOURCE = 128;

  private static final Pattern VALUE = Pattern.compile("\\s*(\\d+)\\s*(?:;\\s*w\\s*=\\s*(\\d+))?.*");

  /** Requires every part (each may be empty). */
  public RateLimitStatus {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(remaining, "remaining");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(observedAt, "observedAt");
  }

  /** A manifest answer at {@code now} that carried no limit: the pull was not limited. */
  public static RateLimitStatus unlimited(Instant now) {
    return new RateLimitStatus(OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
        Optional.of(now));
  }

  /** Whether upstream answered without a limit: its pulls are not limited. */
  public boolean isUnlimited() {
    return observedAt.isPresent() && limit.isEmpty() && remaining.isEmpty();
  }

  /**
   * The status the header values give, or empty when neither count parses (the response carried
   * no quota information).
   */
  public static Optional<RateLimitStatus> fromHeaders(
      Optional<String> limitHeader, Optional<String> remainingHeader, Optional<String> sourceHeader, Instant now) {
    Optional<Matcher> limit = limitHeader.map(VALUE::matcher).filter(Matcher::matches);
    Optional<Matcher> remaining = remainingHeader.map(VALUE::matcher).filter(Matcher::matches);
    if (limit.isEmpty() && remaining.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> window = limit.flatMap(RateLimitStatus::windowOf)
        .or(() -> remaining.flatMap(RateLimitStatus::windowOf));
    Optional<String> source = sourceHeader.map(String::strip)
        .filter(value -> !value.isEmpty() && value.length() <= MAX_SOURCE && value.chars().allMatch(c -> c > 0x20 && c < 0x7f));
    return Optional.of(new RateLimitStatus(
        count(limit), count(remaining), window, source, Optional.of(now)));
  }

  private static OptionalLong count(Optional<Matcher> match) {
    if (match.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(match.get().group(1)));
    } catch (NumberFormatException tooLong) {
      return OptionalLong.empty();
    }
  }

  private static Optional<Duration> windowOf(Matcher match) {
    String seconds = match.group(2);
    if (seconds == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Duration.ofSeconds(Long.parseLong(seconds)));
    } catch (NumberFormatException tooLong) {
      return Optional.empty();
    }
  }
}
