package io.layercake.loadtest;

import java.util.ArrayList;
import java.util.List;

/** One scenario's part of the report: what ran, tables, charts, and the targets it checked. */
final class Section {

  /** A chart file in the report folder and its caption. */
  record Chart(String file, String caption) {}

  private final String title;
  private final List<Object> blocks = new ArrayList<>();
  private final List<Target> targets = new ArrayList<>();

  Section(String title) {
    this.title = title;
  }

  /** A paragraph of prose. */
  Section text(String paragraph) {
    blocks.add(paragraph);
    return this;
  }

  Section table(Table table) {
    blocks.add(table);
    return this;
  }

  Section chart(String file, String caption) {
    blocks.add(new Chart(file, caption));
    return this;
  }

  /** Records a target; it also appears in the report's summary. */
  Section target(String goal, String measured, boolean met) {
    targets.add(new Target(title, goal, measured, met));
    return this;
  }

  String title() {
    return title;
  }

  List<Target> targets() {
    return targets;
  }

  String markdown() {
    StringBuilder out = new StringBuilder("## ").append(title).append("\n\n");
    for (Object block : blocks) {
      if (block instanceof Table table) {
        out.append(table.markdown()).append("\n");
      } else if (block instanceof Chart chart) {
        out.append("![").append(chart.caption()).append("](").append(chart.file()).append(")\n\n");
      } else {
        out.append(block).append("\n\n");
      }
    }
    return out.toString();
  }

  String html() {
    StringBuilder out = new StringBuilder("<h2>").append(Html.escape(title)).append("</h2>\n");
    for (Object block : blocks) {
      if (block instanceof Table table) {
        out.append(table.html());
      } else if (block instanceof Chart chart) {
        out.append("<figure><img src=\"").append(Html.escape(chart.file())).append("\" alt=\"")
            .append(Html.escape(chart.caption())).append("\"><figcaption>")
            .append(Html.escape(chart.caption())).append("</figcaption></figure>\n");
      } else {
        out.append("<p>").append(Html.escape(block.toString())).append("</p>\n");
      }
    }
    return out.toString();
  }
}
