package io.layercake.metrics;

import java.util.List;

/**
 * A histogram metric, one {@link Histogram} per combination of label values, all sharing one set
 * of bucket bounds. Written as cumulative {@code _bucket{le="..."}} samples, then {@code _sum}
 * and {@code _count}; the count is the +Inf bucket, read from the same snapshot.
 */
public final class HistogramFamily extends MetricFamily<Histogram> {

  private final double[] upperBounds;
  private final String[] boundLabels;

  HistogramFamily(String name, String help, double[] upperBounds, String... labelNames) {
    super(name, help, "histogram", labelNames);
    if (labelNames().contains("le")) {
      throw new IllegalArgumentException(name + ": a histogram may not have a label named le");
    }
    if (upperBounds.length == 0) {
      throw new IllegalArgumentException(name + ": a histogram needs at least one bucket");
    }
    for (int i = 0; i < upperBounds.length; i++) {
      if (!Double.isFinite(upperBounds[i]) || (i > 0 && upperBounds[i] <= upperBounds[i - 1])) {
        throw new IllegalArgumentException(name + ": bucket bounds must be finite and increasing");
      }
    }
    this.upperBounds = upperBounds.clone();
    this.boundLabels = new String[upperBounds.length];
    for (int i = 0; i < upperBounds.length; i++) {
      boundLabels[i] = TextFormat.number(upperBounds[i]);
    }
  }

  /** The histogram for these label values, created empty. */
  public Histogram labels(String... labelValues) {
    return child(() -> new Histogram(upperBounds), labelValues);
  }

  @Override
  void writeChild(StringBuilder out, List<String> labelValues, Histogram child) {
    long[] counts = child.bucketCounts();
    long cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      cumulative += counts[i];
      String le = i < boundLabels.length ? boundLabels[i] : "+Inf";
      TextFormat.sample(out, name() + "_bucket", labelNames(), labelValues, "le", le,
          Long.toString(cumulative));
    }
    TextFormat.sample(out, name() + "_sum", labelNames(), labelValues, null, null,
        TextFormat.number(child.sum()));
    TextFormat.sample(out, name() + "_count", labelNames(), labelValues, null, null,
        Long.toString(cumulative));
  }
}
