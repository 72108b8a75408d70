package io.layercake.metrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The metric families of one node, in registration order, and their rendering as Prometheus
 * text. Registration is rare (start-up, a new upstream); counting never touches the registry.
 */
public final class MetricRegistry {

  private final List<MetricFamily<?>> families = new CopyOnWriteArrayList<>();

  /** Registers a counter family; its name must end in {@code _total}. */
  public CounterFamily counter(String name, String help, String... labelNames) {
    return add(new CounterFamily(name, help, labelNames));
  }

  /** Registers a gauge family. */
  public GaugeFamily gauge(String name, String help, String... labelNames) {
    return add(new GaugeFamily(name, help, labelNames));
  }

  /** Registers a histogram family with these (finite, increasing) bucket upper bounds. */
  public HistogramFamily histogram(String name, String help, double[] upperBounds, String... labelNames) {
    return add(new HistogramFamily(name, help, upperBounds, labelNames));
  }

  /** Every family with its current samples, in the text exposition format 0.0.4. */
  public String scrape() {
    StringBuilder out = new StringBuilder(8192);
    for (MetricFamily<?> family : families) {
      family.writeTo(out);
    }
    return out.toString();
  }

  /** The Content-Type of {@link #scrape()}'s output. */
  public static String contentType() {
    return TextFormat.CONTENT_TYPE;
  }

  private synchronized <F extends MetricFamily<?>> F add(F family) {
    for (MetricFamily<?> existing : families) {
      if (existing.name().equals(family.name())) {
        throw new IllegalArgumentException("metric " + family.name() + " is already registered");
      }
    }
    families.add(family);
    return family;
  }
}
