package io.layercake.loadtest;

import java.util.ArrayList;
import java.util.List;

/** Reads a JVM's {@code -Xlog:gc} lines: which collections ran, in order. */
final class GcLog {

  private GcLog() {}

  /** "Young" or "Full" for each pause in {@code lines}, in order. */
  static List<String> pauses(List<String> lines) {
    List<String> pauses = new ArrayList<>();
    for (String line : lines) {
      if (line.contains("Pause Full")) {
        pauses.add("Full");
      } else if (line.contains("Pause Young")) {
        pauses.add("Young");
      }
    }
    return pauses;
  }

  /** The most full collections in a row, with no young one between: a heap that cannot keep up. */
  static int longestFullRun(List<String> pauses) {
    int longest = 0;
    int run = 0;
    for (String pause : pauses) {
      run = pause.equals("Full") ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    return longest;
  }
}
