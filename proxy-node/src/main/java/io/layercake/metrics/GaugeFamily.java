package io.layercake.metrics;

import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * A gauge metric whose values are read when scraped, one supplier per combination of label
 * values. A supplier that answers NaN, or throws, leaves its sample out of that scrape: "not
 * known now" (a rate limit never reported, a store being closed) rather than a made-up zero.
 */
public final class GaugeFamily extends MetricFamily<DoubleSupplier> {

  GaugeFamily(String name, String help, String... labelNames) {
    super(name, help, "gauge", labelNames);
  }

  /** Reads the gauge for these label values from {@code value}, replacing any earlier supplier. */
  public void register(DoubleSupplier value, String... labelValues) {
    put(value, labelValues);
  }

  @Override
  void writeChild(StringBuilder out, List<String> labelValues, DoubleSupplier child) {
    double value;
    try {
      value = child.getAsDouble();
    } catch (RuntimeException unavailable) {
      return;
    }
    if (!Double.isNaN(value)) {
      TextFormat.sample(out, name(), labelNames(), labelValues, null, null, TextFormat.number(value));
    }
  }
}
