package io.layercake.metrics;

import java.util.List;

/**
 * Writing the Prometheus text exposition format, version 0.0.4: one {@code # HELP} and one
 * {@code # TYPE} line per family, then its samples as {@code name{label="value"} number}.
 */
final class TextFormat {

  /** The Content-Type Prometheus expects for this format. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private TextFormat() {}

  /** Writes the family's header lines. */
  static void header(StringBuilder out, String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ');
    escape(out, help, false);
    out.append('\n').append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  /** Writes one sample line; {@code extraName} / {@code extraValue} add a label such as {@code le}. */
  static void sample(StringBuilder out, String name, List<String> labelNames, List<String> labelValues,
      String extraName, String extraValue, String value) {
    out.append(name);
    boolean extra = extraName != null;
    if (!labelNames.isEmpty() || extra) {
      out.append('{');
      for (int i = 0; i < labelNames.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        label(out, labelNames.get(i), labelValues.get(i));
      }
      if (extra) {
        if (!labelNames.isEmpty()) {
          out.append(',');
        }
        label(out, extraName, extraValue);
      }
      out.append('}');
    }
    out.append(' ').append(value).append('\n');
  }

  /** A number as Prometheus reads it: integers without a fraction, infinities as {@code +Inf}. */
  static String number(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }

  private static void label(StringBuilder out, String name, String value) {
    out.append(name).append("=\"");
    escape(out, value, true);
    out.append('"');
  }

  /**
   * Escapes backslash and newline (and, inside label values, the double quote), the only
   * characters the format requires escaping.
   */
  private static void escape(StringBuilder out, String text, boolean quote) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        out.append("\\\\");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '"' && quote) {
        out.append("\\\"");
      } else {
        out.append(c);
      }
    }
  }
}
