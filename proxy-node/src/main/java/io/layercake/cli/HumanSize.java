package io.layercake.cli;

import java.util.Locale;

/** Sizes as docker prints them: decimal units, three significant digits ({@code 24.3MB}). */
final class HumanSize {

  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB"};

  private HumanSize() {}

  static String of(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1000 && unit < UNITS.length - 1) {
      value /= 1000;
      unit++;
    }
    String number = unit == 0 ? Long.toString(bytes) : String.format(Locale.ROOT, "%.3g", value);
    if (number.contains(".")) {
      number = number.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return number + UNITS[unit];
  }
}
