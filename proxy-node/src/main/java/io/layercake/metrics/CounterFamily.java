package io.layercake.metrics;

import java.util.List;

/** A counter metric, one {@link Counter} per combination of label values. */
public final class CounterFamily extends MetricFamily<Counter> {

  CounterFamily(String name, String help, String... labelNames) {
    super(name, help, "counter", labelNames);
    if (!name.endsWith("_total")) {
      throw new IllegalArgumentException("counter " + name + " must end in _total");
    }
  }

  /** The counter for these label values (in the family's label order), created at zero. */
  public Counter labels(String... labelValues) {
    return child(Counter::new, labelValues);
  }

  @Override
  void writeChild(StringBuilder out, List<String> labelValues, Counter child) {
    TextFormat.sample(out, name(), labelNames(), labelValues, null, null,
        Long.toString(child.value()));
  }
}
