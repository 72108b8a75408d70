package io.layercake.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Json;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The rows a listing verb prints, either as a docker-style table or as JSON lines: one object per
 * row whose fields are the cells, as text, the way {@code docker images --format json} prints them.
 */
final class Listing {

  private final List<String> headers = new ArrayList<>();
  private final List<String> fields = new ArrayList<>();
  private final List<String[]> rows = new ArrayList<>();

  /** Adds a column: its table header and its JSON field name. */
  Listing column(String header, String field) {
    return add(header, field);
  }

  /** Adds a field that JSON lines carry and the table does not (it shows it another way). */
  Listing jsonOnly(String field) {
    return add(null, field);
  }

  private Listing add(String header, String field) {
    headers.add(header);
    fields.add(field);
    return this;
  }

  void row(String... cells) {
    if (cells.length != headers.size()) {
      throw new IllegalArgumentException(cells.length + " cells for " + headers.size() + " columns");
    }
    rows.add(cells);
  }

  boolean isEmpty() {
    return rows.isEmpty();
  }

  void print(FormatOption.Format format, PrintStream out) {
    if (format == FormatOption.Format.JSON) {
      for (String[] row : rows) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        for (int i = 0; i < row.length; i++) {
          object.put(fields.get(i), row[i]);
        }
        out.println(object);
      }
      return;
    }
    List<String[]> table = new ArrayList<>();
    table.add(shown(headers.toArray(String[]::new)));
    for (String[] row : rows) {
      table.add(shown(row));
    }
    // Left-aligned columns three spaces apart, like docker's tables.
    int[] widths = new int[table.get(0).length];
    for (String[] row : table) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : table) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < widths.length; i++) {
        line.append(row[i]).append(i < widths.length - 1 ? " ".repeat(widths[i] - row[i].length() + 3) : "");
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** The cells of the columns a table shows. */
  private String[] shown(String[] cells) {
    return IntStream.range(0, cells.length).filter(i -> headers.get(i) != null).mapToObj(i -> cells[i])
        .toArray(String[]::new);
  }
}
