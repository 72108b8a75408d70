package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadBudgetTest {

  private static final int KIB = 1024;
  private static final int MIB = 1024 * KIB;

  @Test
  void take_aLoneReader_readsTheLargestSize() {
    ReadBudget budget = new ReadBudget(32L * MIB, 64 * KIB, 2 * MIB);
    budget.open();
    assertEquals(2 * MIB, budget.take(100L * MIB));
    assertEquals(2 * MIB, budget.inUse());
  }

  @Test
  void take_manyReaders_shareTheBudgetInMultiplesOfTheSmallestRead() {
    ReadBudget budget = new ReadBudget(32L * MIB, 64 * KIB, 2 * MIB);
    for (int i = 0; i < 16; i++) {
      budget.open();
    }
    // 32 MiB over 16 readers, each holding up to 3 reads: 682 KiB, down to a multiple of 64 KiB.
    assertEquals(640 * KIB, budget.take(100L * MIB));
    for (int i = 0; i < 80; i++) {
      budget.open();
    }
    assertEquals(64 * KIB, budget.take(100L * MIB));
  }

  @Test
  void take_aSpentBudget_stillGrantsTheSmallestRead() {
    ReadBudget budget = new ReadBudget(4L * MIB, 64 * KIB, MIB);
    budget.open();
    for (int i = 0; i < 4; i++) {
      assertEquals(MIB, budget.take(100L * MIB));
    }
    // Nothing left: the reader still progresses, by the smallest read.
    assertEquals(64 * KIB, budget.take(100L * MIB));
    assertEquals(4L * MIB + 64 * KIB, budget.inUse());
    budget.release(MIB);
    assertEquals(MIB - 64 * KIB, budget.take(100L * MIB));
  }

  @Test
  void take_theEndOfAFile_takesNoMoreThanIsLeft() {
    ReadBudget budget = new ReadBudget(32L * MIB, 64 * KIB, 2 * MIB);
    budget.open();
    assertEquals(10, budget.take(10));
    assertEquals(10, budget.inUse());
    budget.release(10);
    assertEquals(0, budget.inUse());
    assertEquals(10, budget.peak());
  }

  @Test
  void create_aBudgetThatCannotHoldTwoLargestReads_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ReadBudget(3L * MIB, 64 * KIB, 2 * MIB));
    assertThrows(IllegalArgumentException.class, () -> new ReadBudget(32L * MIB, 2 * MIB, 64 * KIB));
    assertThrows(IllegalArgumentException.class, () -> new ReadBudget(32L * MIB, 0, 64 * KIB));
    assertDoesNotThrow(() -> new ReadBudget(4L * MIB, 64 * KIB, 2 * MIB));
  }
}
