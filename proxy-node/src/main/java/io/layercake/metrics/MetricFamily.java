package io.layercake.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * One named metric with its help text and label names, and one child per combination of label
 * values. Children are created on first use and kept: label values must come from small fixed
 * sets (endpoints, status codes, error codes), never from client input such as repository names.
 *
 * @param <C> the child type: a counter, a histogram, a gauge's supplier
 */
abstract class MetricFamily<C> {

  private static final Comparator<List<String>> BY_LABEL_VALUES = (a, b) -> {
    for (int i = 0; i < a.size(); i++) {
      int order = a.get(i).compareTo(b.get(i));
      if (order != 0) {
        return order;
      }
    }
    return 0;
  };

  private final String name;
  private final String help;
  private final String type;
  private final List<String> labelNames;
  private final Map<List<String>, C> children = new ConcurrentHashMap<>();

  MetricFamily(String name, String help, String type, String... labelNames) {
    this.name = MetricNames.metric(name);
    if (help == null || help.isBlank()) {
      throw new IllegalArgumentException(name + ": help text is required");
    }
    this.help = help;
    this.type = type;
    this.labelNames = MetricNames.labels(name, labelNames);
  }

  /** The metric's name. */
  final String name() {
    return name;
  }

  /** The label names, in sample order. */
  final List<String> labelNames() {
    return labelNames;
  }

  /** The child for these label values, created on first use. */
  final C child(Supplier<C> create, String... labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(name + " takes labels " + labelNames + ", got "
          + labelValues.length + " values");
    }
    List<String> key = List.of(labelValues);
    C existing = children.get(key);
    return existing != null ? existing : children.computeIfAbsent(key, k -> create.get());
  }

  /** Replaces the child for these label values (gauges re-registered with a new supplier). */
  final void put(C child, String... labelValues) {
    if (labelValues.length != labelNames.size()) {
      throw new IllegalArgumentException(name + " takes labels " + labelNames + ", got "
          + labelValues.length + " values");
    }
    children.put(List.of(labelValues), child);
  }

  /** Writes the header and every child's samples, children ordered by their label values. */
  final void writeTo(StringBuilder out) {
    TextFormat.header(out, name, help, type);
    List<Map.Entry<List<String>, C>> sorted = new ArrayList<>(children.entrySet());
    sorted.sort(Map.Entry.comparingByKey(BY_LABEL_VALUES));
    for (Map.Entry<List<String>, C> child : sorted) {
      writeChild(out, child.getKey(), child.getValue());
    }
  }

  /** Writes one child's sample lines. */
  abstract void writeChild(StringBuilder out, List<String> labelValues, C child);
}
