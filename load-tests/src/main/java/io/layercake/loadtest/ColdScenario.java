package io.layercake.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code cold}: one pull of a three-layer image nobody has cached, through each system, against a
 * pull straight from the simulated internet. A mirror that stores a blob before forwarding it
 * doubles the wait; one that streams the fill costs almost nothing over the direct pull. Each
 * round publishes a new image, so every system is cold for it; the median of the rounds counts.
 */
final class ColdScenario implements Scenario {

  private static final String DIRECT = "direct from upstream";

  @Override
  public Section run(Bench bench) throws Exception {
    RunOptions options = bench.options();
    long[] sizes = options.quick() ? new long[] {20_000_000, 6_000_000, 1_000_000}
        : new long[] {100_000_000, 35_000_000, 5_000_000};
    int rounds = options.quick() ? 1 : 3;
    Map<String, List<PullResult>> bySystem = new LinkedHashMap<>();
    long imageSize = 0;
    try (SimulatedInternet internet = bench.internet();
        PullClient client = new PullClient()) {
      ImageFactory factory = new ImageFactory(bench.folder("images"), 11);
      List<Mirror> mirrors = new ArrayList<>();
      try {
        mirrors.add(bench.layercake(internet, 1));
        mirrors.addAll(bench.peers(internet));
        bench.warmUp(internet, client, mirrors.stream().map(mirror -> mirror.urls().get(0)).toList());
        for (int round = 0; round < rounds; round++) {
          LoadImage image = factory.image("library/cold-" + round, "latest", sizes);
          imageSize = image.size();
          internet.publish(image);
          PullResult direct = client.pull(internet.url(), image.repository(), image.tag());
          bySystem.computeIfAbsent(DIRECT, k -> new ArrayList<>()).add(direct);
          for (Mirror mirror : mirrors) {
            PullResult pull = client.pull(mirror.urls().get(0), image.repository(), image.tag());
            bySystem.computeIfAbsent(mirror.name(), k -> new ArrayList<>()).add(pull);
          }
        }
      } finally {
        mirrors.forEach(Mirror::close);
      }
    }
    return section(bench, bySystem, imageSize, sizes.length, rounds);
  }

  private static Section section(Bench bench, Map<String, List<PullResult>> bySystem, long imageSize,
      int layers, int rounds) throws Exception {
    Section section = new Section("cold: first pull of an uncached image");
    section.text("One pull of a " + layers + "-layer image of " + Stats.megabytes(imageSize)
        + " that no system has cached, " + rounds + " round(s), a new image each round; three blobs"
        + " download at a time, as docker does. Median of the rounds; the ratio is against the"
        + " direct pull from the throttled upstream.");
    double direct = Stats.median(Stats.millis(bySystem.get(DIRECT)));
    Table table = new Table("system", "median pull", "vs direct", "each round", "failed");
    Map<String, Double> chart = new LinkedHashMap<>();
    for (Map.Entry<String, List<PullResult>> entry : bySystem.entrySet()) {
      double median = Stats.median(Stats.millis(entry.getValue()));
      StringBuilder each = new StringBuilder();
      for (PullResult pull : entry.getValue()) {
        each.append(each.length() == 0 ? "" : ", ").append(pull.ok()
            ? Stats.ms(pull.millis()) + " (manifest " + Stats.ms(pull.manifestElapsed().toNanos() / 1e6) + ")"
            : "failed");
      }
      long failed = entry.getValue().stream().filter(pull -> !pull.ok()).count();
      table.row(entry.getKey(), Stats.ms(median), Stats.ratio(median / direct), each, failed);
      chart.put(entry.getKey(), median / 1000);
      if (entry.getKey().equals("layercake")) {
        section.target("cold pull ≤ 1.05× direct pull", Stats.ratio(median / direct) + " ("
            + Stats.ms(median) + " vs " + Stats.ms(direct) + ")", failed == 0 && median <= 1.05 * direct);
      }
      entry.getValue().stream().filter(pull -> !pull.ok()).findFirst()
          .ifPresent(pull -> section.text(entry.getKey() + " failed a pull: " + pull.error()));
    }
    section.table(table);
    Charts.bars(bench.chart("cold.png"), "Cold pull, median seconds (lower is better)", "seconds", chart);
    return section.chart("cold.png", "Median cold pull time per system");
  }
}
