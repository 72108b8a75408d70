package io.layercake.loadtest;

import java.util.ArrayList;
import java.util.List;

/** A results table of a section, rendered to Markdown and HTML alike. */
final class Table {

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  /** Adds a row; each cell is formatted with {@code String.valueOf}. */
  Table row(Object... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException("a row needs " + headers.size() + " cells, got " + cells.length);
    }
    List<String> row = new ArrayList<>();
    for (Object cell : cells) {
      row.add(String.valueOf(cell));
    }
    rows.add(row);
    return this;
  }

  List<String> headers() {
    return headers;
  }

  List<List<String>> rows() {
    return rows;
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| ").append(String.join(" | ", headers)).append(" |\n");
    out.append("|").append("---|".repeat(headers.size())).append("\n");
    for (List<String> row : rows) {
      out.append("| ").append(String.join(" | ", row)).append(" |\n");
    }
    return out.toString();
  }

  String html() {
    StringBuilder out = new StringBuilder("<table>\n<tr>");
    headers.forEach(header -> out.append("<th>").append(Html.escape(header)).append("</th>"));
    out.append("</tr>\n");
    for (List<String> row : rows) {
      out.append("<tr>");
      row.forEach(cell -> out.append("<td>").append(Html.escape(cell)).append("</td>"));
      out.append("</tr>\n");
    }
    return out.append("</table>\n").toString();
  }
}
