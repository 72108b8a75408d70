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
 * ratelimit-remaining} headers ({@code 100;w=21600}: 100 pulls per 21600 s window). Upstreams
 * without a limit never send them, and the status stays {@link #UNKNOWN}.
 *
 * @param limit pulls allowed per window
 * @param remaining pulls left in the current window
 * @param window the window's length
 * @param observedAt when the headers arrived
 */
public record RateLimitStatus(
    OptionalLong limit, OptionalLong remaining, Optional<Duration> window,
    Optional<Instant> observedAt) {

  /** Nothing reported yet. */
  public static final RateLimitStatus UNKNOWN =
      new RateLimitStatus(OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
          Optional.empty());

  private static final Pattern VALUE = Pattern.compile("\\s*(\\d+)\\s*(?:;\\s*w\\s*=\\s*(\\d+))?.*");

  /** Requires every part (each may be empty). */
  public RateLimitStatus {
    Objects.requireNonNull(limit, "limit");
    Objects.requireNonNull(remaining, "remaining");
    Objects.requireNonNull(window, "window");
    Objects.requireNonNull(observedAt, "observedAt");
  }

  /**
   * The status the two header values give, or empty when neither parses (the response carried no
   * quota information and the last status should stand).
   */
  public static Optional<RateLimitStatus> fromHeaders(
      Optional<String> limitHeader, Optional<String> remainingHeader, Instant now) {
    Optional<Matcher> limit = limitHeader.map(VALUE::matcher).filter(Matcher::matches);
    Optional<Matcher> remaining = remainingHeader.map(VALUE::matcher).filter(Matcher::matches);
    if (limit.isEmpty() && remaining.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> window = limit.flatMap(RateLimitStatus::windowOf)
        .or(() -> remaining.flatMap(RateLimitStatus::windowOf));
    return Optional.of(new RateLimitStatus(
        count(limit), count(remaining), window, Optional.of(now)));
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
