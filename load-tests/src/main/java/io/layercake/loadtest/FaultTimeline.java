package io.layercake.loadtest;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fault run's timeline charts: client success rate and pull latency in 10-second buckets of
 * pull start time, with each fault shaded from the moment it struck to its undo.
 */
final class FaultTimeline {

  private static final long BUCKET_MILLIS = 10_000;

  private FaultTimeline() {}

  static void chart(Bench bench, Section section, List<FaultScenario.Nemesis.Event> events,
      List<FaultChecks.Pull> pulls, long loadStarted, long loadEnded) throws IOException {
    List<double[]> firstTry = new ArrayList<>();
    List<double[]> withRetries = new ArrayList<>();
    List<double[]> p50 = new ArrayList<>();
    List<double[]> p95 = new ArrayList<>();
    for (long from = loadStarted; from < loadEnded; from += BUCKET_MILLIS) {
      long start = from;
      List<FaultChecks.Pull> in = pulls.stream().filter(p -> p.start() >= start && p.start() < start + BUCKET_MILLIS)
          .toList();
      if (in.isEmpty()) {
        continue;
      }
      double x = (from - loadStarted + BUCKET_MILLIS / 2.0) / 1000;
      firstTry.add(new double[] {x, 100.0 * in.stream()
          .filter(p -> !p.attempts().isEmpty() && p.attempts().get(0).error() == null).count() / in.size()});
      withRetries.add(new double[] {x, 100.0 * in.stream().filter(FaultChecks.Pull::ok).count() / in.size()});
      double[] seconds = in.stream().mapToDouble(p -> p.millis() / 1000.0).toArray();
      p50.add(new double[] {x, Stats.percentile(seconds, 50)});
      p95.add(new double[] {x, Stats.percentile(seconds, 95)});
    }
    List<Charts.Span> spans = spans(events, loadStarted, loadEnded);
    Map<String, double[][]> success = new LinkedHashMap<>();
    success.put("succeeded on the first attempt", firstTry.toArray(double[][]::new));
    success.put("succeeded within 3 attempts", withRetries.toArray(double[][]::new));
    Charts.timeline(bench.chart("faults-success.png"), "Pulls that succeeded, by start time (10 s buckets)",
        "% of pulls", success, spans);
    section.chart("faults-success.png", "Client success rate over time; shaded: faults in force");
    Map<String, double[][]> latency = new LinkedHashMap<>();
    latency.put("p50", p50.toArray(double[][]::new));
    latency.put("p95", p95.toArray(double[][]::new));
    Charts.timeline(bench.chart("faults-latency.png"), "Pull latency, by start time (10 s buckets)", "seconds",
        latency, spans);
    section.chart("faults-latency.png", "Pull latency (all attempts) over time; shaded: faults in force");
  }

  /** From each fault that takes a node away to the step that undoes it. */
  private static List<Charts.Span> spans(List<FaultScenario.Nemesis.Event> events, long loadStarted, long loadEnded) {
    List<Charts.Span> spans = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      FaultScenario.Nemesis.Event event = events.get(i);
      boolean slow = event.what().startsWith("slow node");
      if (!event.lossOfNode() && !slow) {
        continue;
      }
      long end = loadEnded;
      for (int j = i + 1; j < events.size(); j++) {
        if (!events.get(j).lossOfNode() && events.get(j).phase() == event.phase()
            && !events.get(j).what().startsWith("pushed")) {
          end = events.get(j).at();
          break;
        }
      }
      spans.add(new Charts.Span((event.at() - loadStarted) / 1000.0, (end - loadStarted) / 1000.0, event.what()));
    }
    return spans;
  }
}
