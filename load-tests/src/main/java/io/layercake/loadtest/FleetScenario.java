package io.layercake.loadtest;

import io.layercake.testkit.LargeBlob;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code fleet}: a CI fleet at work. R runners each pull, again and again, an image chosen with
 * Zipf popularity from M generated images of realistic layer sizes: a few base layers shared by
 * many images (as {@code debian}, {@code alpine} and {@code ubuntu} are), and smaller application
 * layers of each image's own. Runners spread over every node of the system, for a fixed time and
 * at most a fixed number of pulls. Every system sees the same sequence of choices.
 *
 * <p>Reported: pull latency percentiles, pulls per second, the hit ratio (client blob GETs served
 * without an upstream GET), bytes served against bytes fetched upstream, and the unique bytes the
 * fleet asked for, which is the least any cache must fetch.
 */
final class FleetScenario implements Scenario {

  private static final double ZIPF_EXPONENT = 1.1;
  private static final int MAX_PULLS = 5_000;

  @Override
  public Section run(Bench bench) throws Exception {
    RunOptions options = bench.options();
    int runners = options.runnersOr(8);
    int imageCount = options.quick() ? 6 : 16;
    double scale = options.quick() ? 0.2 : 1.0;
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    List<LoadImage> images;
    try (SimulatedInternet internet = bench.internet();
        PullClient client = new PullClient()) {
      images = images(new ImageFactory(bench.folder("images"), 41), imageCount, scale);
      images.forEach(internet::publish);
      List<Mirror> mirrors = new ArrayList<>();
      try {
        mirrors.add(bench.layercake(internet, 3));
        // One node too: the peers are single processes, and on one machine three nodes share its
        // cores and move two thirds of the blob bytes twice (to the node a runner asked, from the
        // blob's owner). The single node shows what the cluster costs here.
        mirrors.add(bench.layercake(internet, 1));
        mirrors.addAll(bench.peers(internet));
        bench.warmUp(internet, client, mirrors.stream().flatMap(mirror -> mirror.urls().stream()).toList());
        for (Mirror mirror : mirrors) {
          internet.resetCounts();
          outcomes.put(mirror.name(), drive(mirror, images, runners, options.fleetFor().toNanos()));
          outcomes.get(mirror.name()).upstream = internet.traffic();
        }
      } finally {
        mirrors.forEach(Mirror::close);
      }
    }
    return section(bench, outcomes, images, runners);
  }

  /** The fleet's images: three shared bases, and two or three layers of each image's own. */
  static List<LoadImage> images(ImageFactory factory, int count, double scale) {
    List<LargeBlob> bases = List.of(factory.layer((long) (29_000_000 * scale)),
        factory.layer((long) (3_400_000 * scale)), factory.layer((long) (27_000_000 * scale)));
    Random sizes = new Random(7);
    List<LoadImage> images = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      List<LargeBlob> layers = new ArrayList<>();
      layers.add(bases.get(i % bases.size()));
      int own = 2 + sizes.nextInt(2);
      for (int j = 0; j < own; j++) {
        // log-uniform between 0.5 MB and 25 MB: many small layers, a few large ones
        double megabytes = Math.exp(Math.log(0.5) + sizes.nextDouble() * (Math.log(25) - Math.log(0.5)));
        layers.add(factory.layer((long) (megabytes * 1_000_000 * scale)));
      }
      images.add(factory.image("library/fleet-" + i, "latest", layers));
    }
    return images;
  }

  private static Outcome drive(Mirror mirror, List<LoadImage> images, int runners, long durationNanos)
      throws Exception {
    Zipf zipf = new Zipf(images.size(), ZIPF_EXPONENT);
    AtomicInteger budget = new AtomicInteger(MAX_PULLS);
    long deadline = System.nanoTime() + durationNanos;
    long started = System.nanoTime();
    List<List<Pulled>> perRunner = Runners.run(runners, durationNanos / 60_000_000_000L + 10, (client, index) -> {
      Random choices = new Random(1000 + index);
      String url = mirror.urls().get(index % mirror.urls().size());
      List<Pulled> pulled = new ArrayList<>();
      while (System.nanoTime() < deadline && budget.getAndDecrement() > 0) {
        LoadImage image = images.get(zipf.sample(choices));
        pulled.add(new Pulled(image, client.pull(url, image.repository(), image.tag())));
      }
      return pulled;
    });
    Outcome outcome = new Outcome();
    outcome.seconds = (System.nanoTime() - started) / 1e9;
    perRunner.forEach(outcome.pulls::addAll);
    return outcome;
  }

  private record Pulled(LoadImage image, PullResult result) {}

  private static final class Outcome {
    final List<Pulled> pulls = new ArrayList<>();
    double seconds;
    SimulatedInternet.Traffic upstream;
  }

  private static Section section(Bench bench, Map<String, Outcome> outcomes, List<LoadImage> images,
      int runners) throws Exception {
    Section section = new Section("fleet: " + runners + " CI runners pulling a Zipf mix of "
        + images.size() + " images");
    long catalogue = images.stream().flatMap(image -> image.blobs().stream()).distinct()
        .mapToLong(LargeBlob::size).sum();
    section.text(runners + " runners pull images chosen with Zipf popularity (exponent " + ZIPF_EXPONENT
        + ") from " + images.size() + " images, " + Stats.megabytes(catalogue) + " of distinct blobs, three"
        + " base layers shared between them; for " + bench.options().fleetFor().toSeconds() + " s or "
        + MAX_PULLS + " pulls. Runners spread over all of a system's nodes. Hit ratio: the share of"
        + " client blob GETs that upstream did not see. Unique bytes: the distinct blobs the fleet"
        + " asked for, the least a cache has to fetch.");
    Table table = new Table("system", "pulls", "pulls/s", "p50", "p95", "p99", "hit ratio",
        "served", "upstream blob bytes", "unique bytes asked", "upstream / unique", "failed");
    Map<String, double[]> cdf = new LinkedHashMap<>();
    Map<String, Map<String, Double>> bytes = new LinkedHashMap<>();
    for (Map.Entry<String, Outcome> entry : outcomes.entrySet()) {
      Outcome outcome = entry.getValue();
      List<PullResult> results = outcome.pulls.stream().map(Pulled::result).toList();
      double[] millis = Stats.millis(results);
      long failed = results.stream().filter(pull -> !pull.ok()).count();
      long served = results.stream().mapToLong(PullResult::bytes).sum();
      int clientBlobGets = results.stream().mapToInt(PullResult::blobRequests).sum();
      Set<LargeBlob> asked = new HashSet<>();
      outcome.pulls.forEach(pulled -> asked.addAll(pulled.image().blobs()));
      long unique = asked.stream().mapToLong(LargeBlob::size).sum();
      long upstreamBlobBytes = outcome.upstream.blobBytes();
      double hitRatio = 1 - outcome.upstream.blobGets() / (double) clientBlobGets;
      table.row(entry.getKey(), results.size(), Stats.number(results.size() / outcome.seconds),
          Stats.ms(Stats.percentile(millis, 50)), Stats.ms(Stats.percentile(millis, 95)),
          Stats.ms(Stats.percentile(millis, 99)), String.format(java.util.Locale.ROOT, "%.1f%%", hitRatio * 100),
          Stats.megabytes(served), Stats.megabytes(upstreamBlobBytes), Stats.megabytes(unique),
          Stats.ratio(upstreamBlobBytes / (double) unique), failed);
      cdf.put(entry.getKey(), millis);
      bytes.computeIfAbsent("upstream blob bytes", k -> new LinkedHashMap<>()).put(entry.getKey(), upstreamBlobBytes / 1e6);
      bytes.computeIfAbsent("unique bytes asked", k -> new LinkedHashMap<>()).put(entry.getKey(), unique / 1e6);
      if (entry.getKey().startsWith("layercake (")) {
        section.target("fleet upstream bytes = unique bytes asked", Stats.ratio(upstreamBlobBytes / (double) unique)
            + " (" + Stats.megabytes(upstreamBlobBytes) + " of " + Stats.megabytes(unique) + "; hit ratio "
            + String.format(java.util.Locale.ROOT, "%.1f%%", hitRatio * 100) + ")",
            failed == 0 && upstreamBlobBytes == unique);
      }
      results.stream().filter(pull -> !pull.ok()).findFirst()
          .ifPresent(pull -> section.text(entry.getKey() + " failed a pull: " + pull.error()));
    }
    section.table(table);
    Charts.cdf(bench.chart("fleet-latency.png"), "Fleet: pull latency CDF (left is faster)", cdf);
    section.chart("fleet-latency.png", "Pull latency over the whole run, per system");
    Charts.groupedBars(bench.chart("fleet-upstream.png"), "Fleet: megabytes from upstream vs unique asked",
        "MB", bytes);
    return section.chart("fleet-upstream.png", "Upstream blob bytes against the unique bytes the fleet asked for");
  }
}
