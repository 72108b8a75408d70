package io.layercake.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HumanSizeTest {

  @Test
  void of_decimalUnitsThreeDigits() {
    assertEquals("0B", HumanSize.of(0));
    assertEquals("999B", HumanSize.of(999));
    assertEquals("24.3MB", HumanSize.of(24_300_000));
    assertEquals("1.5GB", HumanSize.of(1_500_000_000));
  }
}
