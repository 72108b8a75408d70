package io.layercake.eviction;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The durations of {@code prune --filter until=...}: one or more {@code <number><unit>} with units
 * {@code d}, {@code h}, {@code m}, {@code s}, as docker writes them ({@code 24h}, {@code 1h30m},
 * {@code 7d}).
 */
public final class AgeFilter {

  private static final Pattern WHOLE = Pattern.compile("(\\d{1,9}[dhms])+");
  private static final Pattern PART = Pattern.compile("(\\d{1,9})([dhms])");

  private AgeFilter() {}

  /**
   * Parses a duration.
   *
   * @throws IllegalArgumentException naming the bad input
   */
  public static Duration parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("invalid duration '" + text + "': use for example 24h, 30m, 7d or 1h30m");
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total = switch (part.group(2)) {
        case "d" -> total.plusDays(amount);
        case "h" -> total.plusHours(amount);
        case "m" -> total.plusMinutes(amount);
        default -> total.plusSeconds(amount);
      };
    }
    if (total.isZero()) {
      throw new IllegalArgumentException("invalid duration '" + text + "': must be more than zero");
    }
    return total;
  }
}
