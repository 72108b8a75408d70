package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DiskSpaceTest {

  @Test
  void fits_keepsTheFloorFree() {
    DiskSpace space = new DiskSpace(100, () -> 1_000, () -> 0);
    assertTrue(space.fits(900));
    assertFalse(space.fits(901));
    assertFalse(space.low());
  }

  @Test
  void low_belowTheFloor() {
    assertTrue(new DiskSpace(100, () -> 99, () -> 0).low());
  }

  @Test
  void fits_readsTheVolumeAtMostEvery200Millis() {
    AtomicInteger reads = new AtomicInteger();
    AtomicLong free = new AtomicLong(1_000);
    AtomicLong now = new AtomicLong();
    DiskSpace space = new DiskSpace(0, () -> {
      reads.incrementAndGet();
      return free.get();
    }, now::get);
    space.fits(1);
    free.set(0);
    now.addAndGet(100_000_000L);
    assertTrue(space.fits(1), "still the last reading");
    now.addAndGet(150_000_000L);
    assertFalse(space.fits(1), "read again after 200 ms");
    assertEquals(2, reads.get());
  }
}
