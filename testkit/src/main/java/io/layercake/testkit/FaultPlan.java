package io.layercake.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The faults armed in a {@link FakeRegistry}: each with the path pattern it matches and how many
 * more requests it hits. Drawing is atomic per injection, so concurrent requests never take one
 * fault twice.
 */
final class FaultPlan {

  /** Times value for a fault that never runs out, such as latency in a load test. */
  static final int FOREVER = -1;

  private record Injection(Fault fault, Pattern path, AtomicInteger remaining) {
    boolean take() {
      if (remaining.get() == FOREVER) {
        return true;
      }
      return remaining.getAndUpdate(left -> left > 0 ? left - 1 : 0) > 0;
    }
  }

  private final List<Injection> injections = new CopyOnWriteArrayList<>();

  void add(Fault fault, String pathRegex, int times) {
    if (times < 1 && times != FOREVER) {
      throw new IllegalArgumentException("times must be >= 1 (or FOREVER), got " + times);
    }
    injections.add(new Injection(fault, Pattern.compile(pathRegex), new AtomicInteger(times)));
  }

  void clear() {
    injections.clear();
  }

  /**
   * Takes the armed faults of one family ({@code body} or response) whose pattern finds in path:
   * every latency and throttle, but only the first fault that decides the outcome (a status, a
   * 429, a reset, wrong bytes, a stall), so the others stay armed for the next requests.
   */
  List<Fault> take(String path, boolean body) {
    List<Fault> taken = new ArrayList<>();
    boolean decided = false;
    for (Injection injection : injections) {
      Fault fault = injection.fault();
      boolean decisive = fault.kind() != Fault.Kind.LATENCY && fault.kind() != Fault.Kind.THROTTLE;
      if (fault.isBodyFault() == body
          && !(decisive && decided)
          && injection.path().matcher(path).find()
          && injection.take()) {
        taken.add(fault);
        decided |= decisive;
      }
    }
    return taken;
  }
}
