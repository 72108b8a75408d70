package io.layercake.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The report of one run: {@code report.md} and {@code report.html} side by side with the chart
 * PNGs. It is rewritten after every scenario, so a run stopped half way keeps what it measured.
 */
final class Report {

  private final Path directory;
  private final RunOptions options;
  private final Instant started = Instant.now();
  private final List<Section> sections = new ArrayList<>();
  private final Set<String> notes = new LinkedHashSet<>();

  Report(Path directory, RunOptions options) {
    this.directory = directory;
    this.options = options;
  }

  Path directory() {
    return directory;
  }

  /** Adds a scenario's section and rewrites the files. */
  void add(Section section) throws IOException {
    sections.add(section);
    write();
  }

  /** A line for the report's header, such as a peer that was not installed. */
  void note(String note) {
    notes.add(note);
  }

  List<Target> targets() {
    return sections.stream().flatMap(section -> section.targets().stream()).toList();
  }

  private void write() throws IOException {
    Files.writeString(directory.resolve("report.md"), markdown());
    Files.writeString(directory.resolve("report.html"), html());
  }

  private String environment() {
    return "Run started " + started + " on " + Runtime.getRuntime().availableProcessors()
        + " cores, Java " + System.getProperty("java.version") + ". Simulated upstream: "
        + options.bandwidth() / 1_000_000 + " MB/s per response, " + options.latency().toMillis()
        + " ms per request, bearer tokens like Docker Hub." + (options.quick() ? " QUICK run: small "
        + "images and short measurements; it checks the harness, its numbers are not results." : "");
  }

  private Table targetTable() {
    Table table = new Table("scenario", "target", "measured", "met");
    for (Target target : targets()) {
      table.row(target.scenario(), target.goal(), target.measured(), target.met() ? "yes" : "NO");
    }
    return table;
  }

  private String markdown() {
    StringBuilder out = new StringBuilder("# layercake load-test report\n\n");
    out.append(environment()).append("\n\n");
    notes.forEach(note -> out.append("- ").append(note).append("\n"));
    out.append("\n## Targets\n\n").append(targetTable().markdown()).append("\n");
    sections.forEach(section -> out.append(section.markdown()));
    return out.toString();
  }

  private String html() {
    StringBuilder out = new StringBuilder("""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>layercake load-test report</title>
        <style>
        body { font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }
        table { border-collapse: collapse; margin: 1em 0; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: right; }
        th { background: #f0f0f0; }
        td:first-child, th:first-child { text-align: left; }
        img { max-width: 100%; }
        figcaption { font-size: 0.9em; color: #555; }
        </style></head><body>
        <h1>layercake load-test report</h1>
        """);
    out.append("<p>").append(Html.escape(environment())).append("</p>\n<ul>\n");
    notes.forEach(note -> out.append("<li>").append(Html.escape(note)).append("</li>\n"));
    out.append("</ul>\n<h2>Targets</h2>\n").append(targetTable().html());
    sections.forEach(section -> out.append(section.html()));
    return out.append("</body></html>\n").toString();
  }
}
