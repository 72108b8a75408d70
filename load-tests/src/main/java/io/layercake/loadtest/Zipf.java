package io.layercake.loadtest;

import java.util.Arrays;
import java.util.Random;

/**
 * Zipf popularity over {@code n} items: item {@code k} (0-based) is chosen with probability
 * proportional to {@code 1 / (k + 1)^s}. A few images are pulled most of the time, and a long
 * tail now and then, as on a CI fleet.
 */
final class Zipf {

  private final double[] cumulative;

  Zipf(int n, double exponent) {
    if (n < 1) {
      throw new IllegalArgumentException("need at least one item, got " + n);
    }
    cumulative = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, exponent);
      cumulative[k] = sum;
    }
    for (int k = 0; k < n; k++) {
      cumulative[k] /= sum;
    }
  }

  /** An item index drawn with {@code random}. */
  int sample(Random random) {
    int at = Arrays.binarySearch(cumulative, random.nextDouble());
    return Math.min(cumulative.length - 1, at >= 0 ? at : -at - 1);
  }
}
