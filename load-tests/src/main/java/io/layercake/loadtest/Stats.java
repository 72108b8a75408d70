package io.layercake.loadtest;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Percentiles and the number formats the report uses. */
final class Stats {

  private Stats() {}

  /** The nearest-rank percentile {@code p} (0 to 100) of {@code values}; NaN if empty. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(double[] values) {
    return percentile(values, 50);
  }

  /** The elapsed milliseconds of the successful pulls. */
  static double[] millis(List<PullResult> pulls) {
    return pulls.stream().filter(PullResult::ok).mapToDouble(PullResult::millis).toArray();
  }

  static String ms(double millis) {
    return Double.isNaN(millis) ? "-" : String.format(Locale.ROOT, "%.0f ms", millis);
  }

  static String seconds(double millis) {
    return String.format(Locale.ROOT, "%.2f s", millis / 1000);
  }

  static String ratio(double value) {
    return Double.isNaN(value) || Double.isInfinite(value) ? "-" : String.format(Locale.ROOT, "%.2f×", value);
  }

  static String number(double value) {
    return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
  }

  /** Bytes in decimal megabytes, as the report's MB/s figures. */
  static String megabytes(double bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }
}
