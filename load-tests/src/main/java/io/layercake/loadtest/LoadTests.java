package io.layercake.loadtest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The {@code load-tests/run} command: runs the named scenarios one after another, each against
 * layercake and the installed peers, and writes {@code report.md}, {@code report.html} and the
 * charts to {@code load-tests/reports/<timestamp>/}. Exits 0 when every scenario ran and every
 * target held, 1 when a target was missed, 2 when a scenario could not run.
 */
public final class LoadTests {

  private static final Map<String, Supplier<Scenario>> SCENARIOS = Map.of(
      "cold", ColdScenario::new,
      "herd", HerdScenario::new,
      "warm", WarmScenario::new,
      "fleet", FleetScenario::new,
      "memory", MemoryScenario::new,
      "flood", FloodScenario::new,
      "faults", FaultScenario::new,
      "tags", TagsScenario::new);

  private LoadTests() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help")) {
      System.out.print(RunOptions.USAGE);
      System.exit(args.length == 0 ? 2 : 0);
    }
    RunOptions options;
    try {
      options = RunOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("load-tests: " + e.getMessage());
      System.err.print(RunOptions.USAGE);
      System.exit(2);
      return;
    }
    System.exit(run(options));
  }

  static int run(RunOptions options) throws IOException {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path reportDir = Files.createDirectories(options.reportsRoot().resolve(stamp));
    Path work = options.workRoot() != null
        ? Files.createDirectories(options.workRoot().resolve(stamp))
        : Files.createTempDirectory("layercake-load-");
    Report report = new Report(reportDir, options);
    int status = 0;
    try {
      for (String name : options.scenarios()) {
        System.out.println("== " + name);
        long started = System.nanoTime();
        Bench bench = new Bench(options, Files.createDirectories(work.resolve(name)), report);
        Section section;
        try {
          section = SCENARIOS.get(name).get().run(bench);
        } catch (Exception | AssertionError e) {
          section = new Section(name + ": did not run").text("The scenario failed: " + e);
          section.target("scenario runs", "failed: " + e.getMessage(), false);
          e.printStackTrace();
          status = 2;
        } finally {
          deleteTree(work.resolve(name));
        }
        report.add(section);
        for (Target target : section.targets()) {
          System.out.printf("   %-4s %s: %s%n", target.met() ? "ok" : "MISS", target.goal(), target.measured());
        }
        System.out.printf("   (%d s)%n", (System.nanoTime() - started) / 1_000_000_000L);
      }
    } finally {
      deleteTree(work);
    }
    if (status == 0 && report.targets().stream().anyMatch(target -> !target.met())) {
      status = 1;
    }
    System.out.println("report: " + reportDir.resolve("report.md") + " and report.html");
    return status;
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      System.err.println("load-tests: could not remove " + root + ": " + e.getMessage());
    }
  }
}
