package io.layercake.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class GcLogTest {

  @Test
  void pauses_readsYoungAndFullCollectionsInOrder() {
    List<String> lines = List.of(
        "[0.012s][info][gc] Using Serial",
        "[1.200s][info][gc] GC(0) Pause Young (Allocation Failure) 68M->12M(247M) 8.1ms",
        "[2.300s][info][gc] GC(1) Pause Full (Allocation Failure) 200M->90M(247M) 120.4ms",
        "[2.500s][info][gc] GC(2) Pause Full (Allocation Failure) 210M->95M(247M) 118.0ms",
        "[2.900s][info][gc] GC(3) Pause Young (Allocation Failure) 160M->95M(247M) 3.0ms");
    List<String> pauses = GcLog.pauses(lines);
    assertEquals(List.of("Young", "Full", "Full", "Young"), pauses);
    assertEquals(2, GcLog.longestFullRun(pauses));
    assertEquals(1, GcLog.longestFullRun(List.of("Full", "Young", "Full")));
    assertEquals(0, GcLog.longestFullRun(List.of("Young")));
  }
}
