package io.layercake.cli;

import io.layercake.admin.AdminAnswers.PullEvent;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * docker's pull output from the node's events: one line per layer. On a terminal each line is
 * redrawn in place with a progress bar ({@code Downloading [=====>     ] 12.3MB/45.6MB}); in a
 * pipe or a log, only the changes of state are printed, one line each, as docker does.
 */
final class PullProgress {

  private static final int BAR_WIDTH = 50;
  private static final String ESC = "\u001b[";

  private final PrintStream out;
  private final boolean terminal;
  private final List<String> ids = new ArrayList<>();

  PullProgress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Shows one event. */
  void show(PullEvent event) {
    String name = event.event();
    if (name.equals("start")) {
      out.println(event.reference() + ": Pulling from " + event.repository());
      return;
    }
    if (!"layer".equals(event.kind())) {
      return;
    }
    String id = event.id();
    switch (name) {
      case "waiting" -> update(id, "Pulling fs layer", true);
      case "exists" -> update(id, "Already exists", true);
      case "progress" -> update(id, "Downloading", false, bar(orZero(event.current()), orZero(event.total())));
      case "complete" -> update(id, "Pull complete", true);
      case "error" -> update(id, "Error: " + event.message(), true);
      default -> { }
    }
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private void update(String id, String status, boolean stateChange) {
    update(id, status, stateChange, "");
  }

  private void update(String id, String status, boolean stateChange, String detail) {
    String text = id + ": " + status + (detail.isEmpty() ? "" : " " + detail);
    boolean known = ids.contains(id);
    if (!known) {
      ids.add(id);
    }
    if (!terminal) {
      // A pipe gets the changes of state only; progress bars would flood a log.
      if (stateChange) {
        out.println(text);
      }
      return;
    }
    if (!known) {
      out.println(text);
      return;
    }
    int up = ids.size() - ids.indexOf(id);
    out.print(ESC + up + "A\r" + ESC + "2K" + text + "\r" + ESC + up + "B");
    out.flush();
  }

  /** {@code [=====>      ]  12.3MB/45.6MB}, as docker draws it. */
  static String bar(long current, long total) {
    int filled = total <= 0 ? BAR_WIDTH : (int) Math.max(0, Math.min(BAR_WIDTH, current * BAR_WIDTH / total));
    String head = filled < BAR_WIDTH ? ">" + " ".repeat(BAR_WIDTH - filled - 1) : "";
    return "[" + "=".repeat(filled) + head + "] " + HumanSize.of(current) + "/" + HumanSize.of(total);
  }
}
