package io.layercake.loadtest;

import io.layercake.testkit.LargeBlob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code herd}: R runners pull the same cold image at the same instant, as a CI fleet does when a
 * new base image is tagged. Upstream should see each blob once however many ask; the herd should
 * take little longer than one cold pull. The single cold pull is measured on the same system, on
 * an image of the same layer sizes, just before.
 */
final class HerdScenario implements Scenario {

  @Override
  public Section run(Bench bench) throws Exception {
    RunOptions options = bench.options();
    int runners = options.runnersOr(32);
    long[] sizes = options.quick() ? new long[] {20_000_000, 6_000_000, 1_000_000}
        : new long[] {100_000_000, 35_000_000, 5_000_000};
    Map<String, Result> results = new LinkedHashMap<>();
    LoadImage herdImage;
    try (SimulatedInternet internet = bench.internet();
        PullClient client = new PullClient()) {
      ImageFactory factory = new ImageFactory(bench.folder("images"), 23);
      LoadImage single = factory.image("library/herd-single", "latest", sizes);
      herdImage = factory.image("library/herd", "latest", sizes);
      internet.publish(single);
      internet.publish(herdImage);
      List<Mirror> mirrors = new ArrayList<>();
      try {
        Path gcLog = bench.folder("gc").resolve("layercake-gc.log");
        mirrors.add(bench.layercake(internet, 1, List.of("-Xlog:gc:file=" + gcLog)));
        mirrors.addAll(bench.peers(internet));
        bench.warmUp(internet, client, mirrors.stream().map(mirror -> mirror.urls().get(0)).toList());
        for (Mirror mirror : mirrors) {
          String url = mirror.urls().get(0);
          PullResult one = client.pull(url, single.repository(), single.tag());
          boolean mine = mirror.name().equals("layercake");
          int gcBefore = mine ? Files.readAllLines(gcLog).size() : 0;
          internet.resetCounts();
          long started = System.nanoTime();
          List<PullResult> herd = Runners.run(runners, 10,
              (runner, index) -> runner.pull(url, herdImage.repository(), herdImage.tag()));
          double wall = (System.nanoTime() - started) / 1e6;
          SimulatedInternet.Traffic upstream = internet.traffic();
          double warmWall = warmHerd(runners, url, herdImage);
          List<String> gc = List.of();
          if (mine) {
            List<String> lines = Files.readAllLines(gcLog);
            gc = GcLog.pauses(lines.subList(gcBefore, lines.size()));
          }
          results.put(mirror.name(), new Result(one, herd, wall, upstream, warmWall, gc));
        }
      } finally {
        mirrors.forEach(Mirror::close);
      }
    }
    return section(bench, results, herdImage, runners);
  }

  /**
   * The same herd again, now that the image is cached: no upstream in the way, only this machine
   * serving and verifying 32 copies. It is the floor under the cold herd's wall time on this
   * machine, whatever the system does with the fill.
   */
  private static double warmHerd(int runners, String url, LoadImage image) throws Exception {
    long started = System.nanoTime();
    List<PullResult> warm = Runners.run(runners, 10, (runner, index) -> runner.pull(url, image.repository(), image.tag()));
    double wall = (System.nanoTime() - started) / 1e6;
    return warm.stream().allMatch(PullResult::ok) ? wall : Double.NaN;
  }

  /** @param gcPauses layercake's GC pauses during both herds, "Young" or "Full", in order */
  private record Result(PullResult single, List<PullResult> herd, double wallMillis,
      SimulatedInternet.Traffic upstream, double warmWallMillis, List<String> gcPauses) {}

  private static Section section(Bench bench, Map<String, Result> results, LoadImage image, int runners)
      throws Exception {
    long blobBytes = image.blobs().stream().mapToLong(LargeBlob::size).sum();
    Section section = new Section("herd: " + runners + " runners pull one cold image at once");
    section.text(runners + " runners start together on a " + Stats.megabytes(image.size()) + " image ("
        + image.blobs().size() + " blobs) no system has cached. Wall time is from the start to the"
        + " last runner's last byte; the single pull is one cold pull of a same-sized image on the"
        + " same system just before. Upstream bytes count the blob GETs upstream answered. The warm"
        + " herd repeats the herd once the image is cached: with no upstream left to wait for, its"
        + " wall time is what this machine needs to serve and verify " + runners + " copies, a floor"
        + " under the cold herd.");
    Table table = new Table("system", "herd wall time", "single cold pull", "herd / single",
        "warm herd", "warm herd / single",
        "upstream blob GETs", "upstream blob bytes", "vs image", "p50", "p99", "failed");
    Map<String, double[]> cdf = new LinkedHashMap<>();
    Map<String, Double> upstreamBars = new LinkedHashMap<>();
    for (Map.Entry<String, Result> entry : results.entrySet()) {
      Result result = entry.getValue();
      double[] millis = Stats.millis(result.herd());
      long failed = result.herd().stream().filter(pull -> !pull.ok()).count()
          + (result.single().ok() ? 0 : 1);
      double ratio = result.wallMillis() / result.single().millis();
      double upstreamRatio = result.upstream().blobBytes() / (double) blobBytes;
      table.row(entry.getKey(), Stats.ms(result.wallMillis()), Stats.ms(result.single().millis()),
          Stats.ratio(ratio), Stats.ms(result.warmWallMillis()),
          Stats.ratio(result.warmWallMillis() / result.single().millis()), result.upstream().blobGets(), Stats.megabytes(result.upstream().blobBytes()),
          Stats.ratio(upstreamRatio), Stats.ms(Stats.percentile(millis, 50)),
          Stats.ms(Stats.percentile(millis, 99)), failed);
      cdf.put(entry.getKey(), millis);
      upstreamBars.put(entry.getKey(), result.upstream().blobBytes() / 1e6);
      if (entry.getKey().equals("layercake")) {
        section.target("herd upstream blob GETs = blobs", result.upstream().blobGets() + " GETs for "
            + image.blobs().size() + " blobs, " + Stats.ratio(upstreamRatio) + " the image's bytes",
            failed == 0 && result.upstream().blobGets() == image.blobs().size()
                && result.upstream().blobBytes() == blobBytes);
        Result nginx = results.get(Peers.NGINX_CACHE);
        double nginxRatio = nginx == null ? Double.NaN : nginx.wallMillis() / nginx.single().millis();
        section.target("herd wall ≤ 2.0× one cold pull, and ≤ nginx cache's ratio", Stats.ratio(ratio) + " ("
            + Stats.ms(result.wallMillis()) + " vs " + Stats.ms(result.single().millis()) + "; nginx cache "
            + (nginx == null ? "did not run" : Stats.ratio(nginxRatio)) + "; layercake's warm herd "
            + Stats.ratio(result.warmWallMillis() / result.single().millis()) + ")",
            failed == 0 && ratio <= 2.0 && (nginx == null || ratio <= nginxRatio));
        int backToBack = GcLog.longestFullRun(result.gcPauses());
        section.target("herd: no back-to-back full collections (GC log)", result.gcPauses().stream()
            .filter("Young"::equals).count() + " young and " + result.gcPauses().stream().filter("Full"::equals).count()
            + " full collections over both herds; longest run of full ones: " + backToBack, backToBack <= 1);
      }
      result.herd().stream().filter(pull -> !pull.ok()).findFirst()
          .ifPresent(pull -> section.text(entry.getKey() + " failed a pull: " + pull.error()));
    }
    section.table(table);
    Charts.cdf(bench.chart("herd-latency.png"), "Herd: pull latency CDF (left is faster)", cdf);
    section.chart("herd-latency.png", "Latency of the " + runners + " herd pulls, per system");
    Charts.bars(bench.chart("herd-upstream.png"), "Herd: megabytes fetched from upstream (lower is better)",
        "MB", upstreamBars);
    return section.chart("herd-upstream.png", "Upstream blob bytes per system for one herd");
  }
}
