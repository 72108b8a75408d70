package io.layercake.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ZipfTest {

  @Test
  void sample_followsTheZipfLaw() {
    Zipf zipf = new Zipf(10, 1.0);
    Random random = new Random(3);
    int[] counts = new int[10];
    int draws = 200_000;
    for (int i = 0; i < draws; i++) {
      counts[zipf.sample(random)]++;
    }
    double harmonic = 0;
    for (int k = 1; k <= 10; k++) {
      harmonic += 1.0 / k;
    }
    for (int k = 0; k < 10; k++) {
      double expected = draws / ((k + 1) * harmonic);
      assertEquals(expected, counts[k], expected * 0.05, "item " + k);
    }
    assertTrue(counts[0] > counts[1] && counts[1] > counts[9]);
  }

  @Test
  void oneItem_isAlwaysChosen_noItemsIsRefused() {
    Zipf one = new Zipf(1, 1.1);
    assertEquals(0, one.sample(new Random(1)));
    assertThrows(IllegalArgumentException.class, () -> new Zipf(0, 1.1));
  }
}
