package io.layercake.metrics;

import java.util.List;
import java.util.regex.Pattern;

/** The Prometheus data model's rules for metric and label names, checked at registration. */
final class MetricNames {

  private static final Pattern METRIC = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  private MetricNames() {}

  /** Returns {@code name} if it is a valid metric name, else throws naming it. */
  static String metric(String name) {
    if (name == null || !METRIC.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name: " + name);
    }
    return name;
  }

  /** Returns the label names if each is valid, not reserved and not repeated. */
  static List<String> labels(String metric, String... names) {
    List<String> list = List.of(names);
    for (String label : list) {
      if (!LABEL.matcher(label).matches() || label.startsWith("__")) {
        throw new IllegalArgumentException(metric + ": invalid label name: " + label);
      }
    }
    if (list.stream().distinct().count() != list.size()) {
      throw new IllegalArgumentException(metric + ": repeated label name in " + list);
    }
    return list;
  }
}
