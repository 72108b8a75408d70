package io.layercake.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fault schedule's checks, over three independent records: what the clients got, what the hub
 * served, and what the nodes said about the cluster. Each check is a target in the report; any
 * missed target fails the run.
 */
final class FaultChecks {

  /** One attempt of a pull: the node it went to, when it started, how long it took, its error. */
  record Attempt(int node, long start, long millis, String error) {}

  /** One client pull as FaultPuller recorded it. */
  record Pull(long start, long end, String image, List<Attempt> attempts, boolean ok, boolean wrongBytes) {
    static Pull parse(JsonNode json) {
      List<Attempt> attempts = new ArrayList<>();
      for (JsonNode attempt : json.path("attempts")) {
        attempts.add(new Attempt(attempt.path("node").asInt(), attempt.path("start").asLong(),
            attempt.path("ms").asLong(), attempt.hasNonNull("error") ? attempt.path("error").asText() : null));
      }
      return new Pull(json.path("start").asLong(), json.path("end").asLong(), json.path("image").asText(),
          attempts, json.path("ok").asBoolean(), json.path("wrongBytes").asBoolean());
    }

    long millis() {
      return end - start;
    }
  }

  /** The split brain resolver's stable-after plus the failure detector's time: a split may last this long. */
  /** How soon after the loss of its owner a blob is fetched again, at most, to count as caused by it. */
  private static final long REFETCH_WINDOW_MILLIS = 30_000;
  private static final long SPLIT_ALLOWED_MILLIS = 10_000 + FaultScenario.DETECTION_MILLIS + 10_000;

  private final FaultSchedule schedule;
  private final List<FaultScenario.Nemesis.Event> events;
  private final List<Pull> pulls;
  private final List<ClusterWatch.Sample> samples;
  private final List<HubLog.BlobGet> hubGets;
  private final Map<Integer, Integer> restarts;
  private final long loadStarted;
  private final long loadEnded;
  private final int nodes;

  FaultChecks(FaultSchedule schedule, List<FaultScenario.Nemesis.Event> events, List<Pull> pulls,
      List<ClusterWatch.Sample> samples, List<HubLog.BlobGet> hubGets, Map<Integer, Integer> restarts,
      long loadStarted, long loadEnded, int nodes) {
    this.schedule = schedule;
    this.events = events;
    this.pulls = pulls;
    this.samples = samples;
    this.hubGets = hubGets;
    this.restarts = restarts;
    this.loadStarted = loadStarted;
    this.loadEnded = loadEnded;
    this.nodes = nodes;
  }

  Section section(Bench bench, boolean quick) throws IOException {
    Section section = new Section("faults: the cluster in network namespaces under a fault schedule"
        + (quick ? " (quick)" : ""));
    section.text(String.format("%d nodes in their own network namespaces (cluster-config/netns-cluster), "
        + "mutual TLS between them, a docker-registry hub with token auth behind a 100 Mbit/s link; "
        + "%d client namespaces pulling through random nodes, each pull up to %d attempts, the retries "
        + "on other nodes (as a load balancer or containerd's host list does). Seed %d: `./load-tests/run "
        + "faults%s --seed %d` repeats the schedule. %.1f minutes of load, %d kinds of fault, %d pulls.",
        nodes, 2, FaultPuller.ATTEMPTS, schedule.seed(), quick ? " --quick" : "", schedule.seed(),
        (loadEnded - loadStarted) / 60_000.0, schedule.faultKinds(), pulls.size()));

    Table timeline = new Table("time (s)", "phase", "step");
    for (FaultScenario.Nemesis.Event event : events) {
      timeline.row(seconds(event.at()), event.phase() + 1, event.what());
    }
    section.text("What the nemesis did, in seconds from the start of the load:").table(timeline);

    phases(section);
    wrongBytes(section);
    allPullsSucceed(section);
    minorityFailsFast(section);
    oneCluster(section);
    upstreamGets(section);
    rollingRestartRefetchesNothing(section);
    Table restarted = new Table("node", "restarts by its supervisor (exited on its own, e.g. downed)");
    restarts.forEach(restarted::row);
    section.text("Nodes that the cluster downed exit with status 1; the harness's supervisor starts them "
        + "again on their data, as systemd does with Restart=on-failure:").table(restarted);
    FaultTimeline.chart(bench, section, events, pulls, loadStarted, loadEnded);
    section.text("Logs: faults-hub.log and faults-node-N.log beside this report.");
    return section;
  }

  /** Success rate and latency of the pulls that started in each phase. */
  private void phases(Section section) {
    Table table = new Table("phase", "from (s)", "pulls", "succeeded", "first attempt failed", "p50 (s)", "p95 (s)",
        "max (s)");
    List<long[]> windows = phaseWindows();
    for (int i = 0; i < windows.size(); i++) {
      long from = windows.get(i)[0];
      long to = windows.get(i)[1];
      List<Pull> in = pulls.stream().filter(p -> p.start() >= from && p.start() < to).toList();
      long ok = in.stream().filter(Pull::ok).count();
      long firstFailed = in.stream().filter(p -> !p.attempts().isEmpty() && p.attempts().get(0).error() != null).count();
      double[] millis = in.stream().mapToDouble(Pull::millis).toArray();
      table.row((i + 1) + ". " + schedule.phases().get(i).kind().description, seconds(from), in.size(),
          in.isEmpty() ? "-" : String.format("%.1f%%", 100.0 * ok / in.size()), firstFailed,
          fmt(Stats.percentile(millis, 50) / 1000), fmt(Stats.percentile(millis, 95) / 1000),
          fmt(Stats.percentile(millis, 100) / 1000));
    }
    section.text("Pulls by the phase they started in (a pull succeeds if any of its attempts does):").table(table);
  }

  private List<long[]> phaseWindows() {
    List<long[]> windows = new ArrayList<>();
    for (int i = 0; i < schedule.phases().size(); i++) {
      int phase = i;
      long from = events.stream().filter(e -> e.phase() == phase).mapToLong(FaultScenario.Nemesis.Event::at)
          .min().orElse(loadEnded);
      long to = events.stream().filter(e -> e.phase() > phase).mapToLong(FaultScenario.Nemesis.Event::at)
          .min().orElse(loadEnded);
      windows.add(new long[] {from, to});
    }
    return windows;
  }

  private void wrongBytes(Section section) {
    long wrong = pulls.stream().filter(Pull::wrongBytes).count();
    section.target("zero wrong bytes: no complete body with another digest", wrong + " of " + pulls.size()
        + " pulls had one", wrong == 0);
  }

  private void allPullsSucceed(Section section) {
    List<Pull> failed = pulls.stream().filter(p -> !p.ok()).toList();
    if (!failed.isEmpty()) {
      Table table = new Table("started (s)", "image", "attempts (node: ms, error)");
      failed.stream().limit(20).forEach(p -> table.row(seconds(p.start()), p.image(), describe(p.attempts())));
      section.text("Pulls that failed every attempt (the first 20):").table(table);
    }
    section.target("every pull succeeds within " + FaultPuller.ATTEMPTS + " attempts (a majority is always connected)",
        (pulls.size() - failed.size()) + " of " + pulls.size() + " succeeded", failed.isEmpty() && !pulls.isEmpty());
  }

  /**
   * Attempts on a node cut off from the majority (partitioned or isolated), once the failure
   * detector has seen it: each one that fails must fail within 5 s, not hang.
   */
  private void minorityFailsFast(Section section) {
    List<Attempt> slow = new ArrayList<>();
    int counted = 0;
    for (long[] cut : cuts()) {
      int node = (int) cut[2];
      for (Pull pull : pulls) {
        for (Attempt attempt : pull.attempts()) {
          if (attempt.node() == node && attempt.error() != null && attempt.start() >= cut[0] + FaultScenario.DETECTION_MILLIS
              && attempt.start() < cut[1]) {
            counted++;
            if (attempt.millis() > FaultScenario.FAST_FAIL_MILLIS) {
              slow.add(attempt);
            }
          }
        }
      }
    }
    if (!slow.isEmpty()) {
      Table table = new Table("started (s)", "node", "ms", "error");
      slow.stream().limit(20).forEach(a -> table.row(seconds(a.start()), a.node(), a.millis(), a.error()));
      section.text("Failed attempts on a cut-off node that took longer than 5 s:").table(table);
    }
    section.target("a cut-off node fails requests within 5 s (after the failure detector's ~4 s)",
        counted == 0 ? "no attempt reached a cut-off node" : (counted - slow.size()) + " of " + counted
            + " failed attempts within 5 s, slowest " + slow.stream().mapToLong(Attempt::millis).max().orElse(0) + " ms",
        slow.isEmpty());
  }

  /** [from, to, node] of each partition or isolation: from the cut to the heal. */
  private List<long[]> cuts() {
    List<long[]> cuts = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) {
      FaultScenario.Nemesis.Event event = events.get(i);
      Integer node = cutNode(event.what());
      if (node == null) {
        continue;
      }
      long healed = loadEnded;
      for (int j = i + 1; j < events.size(); j++) {
        if (events.get(j).what().equals("heal")) {
          healed = events.get(j).at();
          break;
        }
      }
      cuts.add(new long[] {event.at(), healed, node});
    }
    return cuts;
  }

  private static Integer cutNode(String what) {
    if (what.startsWith("isolate node ")) {
      return Integer.parseInt(what.substring("isolate node ".length()).split(" ")[0]);
    }
    if (what.startsWith("partition ")) {
      return Integer.parseInt(what.substring(what.lastIndexOf('/') + 1).strip());
    }
    return null;
  }

  /**
   * After every heal, resume and restart, the nodes become one cluster again: every node answers,
   * names the same coordinator and counts every node Up. And at no time do two coordinators
   * coexist for longer than the resolver needs.
   */
  private void oneCluster(Section section) {
    Table table = new Table("after (s)", "step", "one cluster after (s)");
    boolean allJoined = true;
    for (int i = 0; i < events.size(); i++) {
      FaultScenario.Nemesis.Event event = events.get(i);
      String what = event.what();
      if (!(what.equals("heal") || what.startsWith("resume node") || what.endsWith("on its data"))) {
        continue;
      }
      long next = events.stream().filter(e -> e.at() > event.at() && e.lossOfNode()).mapToLong(e -> e.at())
          .min().orElse(loadEnded);
      long joined = firstWhole(event.at(), next);
      allJoined &= joined >= 0;
      table.row(seconds(event.at()), what, joined < 0 ? "not before the next fault" : fmt((joined - event.at()) / 1000.0));
    }
    section.text("Time until the nodes were one cluster again (every node answering /admin/cluster, "
        + "all naming one coordinator, each counting all " + nodes + " nodes Up and reachable):").table(table);
    section.target("one cluster again after every heal, resume and restart", allJoined ? "yes" : "no: see the table",
        allJoined);

    long longestSplit = longestSplit();
    section.target("never two coordinators for longer than the resolver needs (" + SPLIT_ALLOWED_MILLIS / 1000 + " s)",
        "longest: " + fmt(longestSplit / 1000.0) + " s", longestSplit <= SPLIT_ALLOWED_MILLIS);
  }

  /** The first time in [from, to) when every node's newest answer shows the whole cluster, or -1. */
  private long firstWhole(long from, long to) {
    Map<Integer, ClusterWatch.Sample> latest = new HashMap<>();
    for (ClusterWatch.Sample sample : samples) {
      if (sample.at() >= to) {
        break;
      }
      if (sample.at() < from) {
        continue;
      }
      latest.put(sample.node(), sample);
      if (latest.size() == nodes && latest.values().stream().allMatch(s -> s.up().size() == nodes)
          && latest.values().stream().map(ClusterWatch.Sample::coordinator).distinct().count() == 1) {
        return sample.at();
      }
    }
    return -1;
  }

  /** The longest time during which nodes that see a cluster named two different coordinators. */
  private long longestSplit() {
    Map<Integer, ClusterWatch.Sample> latest = new HashMap<>();
    long splitSince = -1;
    long longest = 0;
    for (ClusterWatch.Sample sample : samples) {
      if (sample.seesCluster()) {
        latest.put(sample.node(), sample);
      } else {
        latest.remove(sample.node());
      }
      Set<String> coordinators = new HashSet<>();
      latest.values().stream().filter(s -> s.at() > sample.at() - 6_000).forEach(s -> coordinators.add(s.coordinator()));
      if (coordinators.size() > 1) {
        splitSince = splitSince < 0 ? sample.at() : splitSince;
        longest = Math.max(longest, sample.at() - splitSince);
      } else {
        splitSince = -1;
      }
    }
    return longest;
  }

  /**
   * Upstream GETs per blob: at most one, plus one for each loss of a node. Each GET after the first
   * must follow a loss of a node (a cut, pause, kill or SIGTERM) that happened after the previous
   * GET began: the log stamps a GET when it ends, so a fill cut short by the loss ends with it,
   * and a few seconds of margin cover the stamp's rounding.
   */
  private void upstreamGets(Section section) {
    Map<String, List<HubLog.BlobGet>> byDigest = new TreeMap<>();
    hubGets.stream().filter(g -> g.at() >= loadStarted - 1000)
        .forEach(g -> byDigest.computeIfAbsent(g.digest(), d -> new ArrayList<>()).add(g));
    Table table = new Table("blob", "GETs (s)", "the loss of a node before each further GET", "within the bound");
    int above = 0;
    int beyond = 0;
    for (Map.Entry<String, List<HubLog.BlobGet>> entry : byDigest.entrySet()) {
      List<HubLog.BlobGet> gets = entry.getValue();
      if (gets.size() <= 1) {
        continue;
      }
      above++;
      List<String> reasons = new ArrayList<>();
      Set<FaultScenario.Nemesis.Event> used = new HashSet<>();
      boolean within = true;
      for (int i = 1; i < gets.size(); i++) {
        // The loss must come after the previous GET began, and shortly before this one: under
        // load, a blob whose owner is lost is asked for again within seconds.
        long from = Math.max(gets.get(i - 1).at() - 5_000, gets.get(i).at() - REFETCH_WINDOW_MILLIS);
        long to = gets.get(i).at();
        FaultScenario.Nemesis.Event loss = events.stream()
            .filter(e -> e.lossOfNode() && !used.contains(e) && e.at() >= from && e.at() <= to)
            .findFirst().orElse(null);
        if (loss == null) {
          within = false;
          reasons.add("none before the GET at " + seconds(to));
        } else {
          used.add(loss);
          reasons.add(loss.what() + " @" + seconds(loss.at()));
        }
      }
      beyond += within ? 0 : 1;
      table.row(entry.getKey().substring(0, 19) + "…",
          String.join(", ", gets.stream().map(g -> seconds(g.at())).toList()), String.join("; ", reasons),
          within ? "yes" : "NO");
    }
    section.text(String.format("%d blobs were fetched from the hub; %d of them more than once:", byDigest.size(), above));
    if (above > 0) {
      section.table(table);
    }
    section.target("upstream GETs per blob <= 1 + losses of its owner before it was copied",
        beyond == 0 ? "all " + byDigest.size() + " blobs within" : beyond + " blobs above the bound", beyond == 0);
  }

  /** The rolling restart's nodes keep their data: no blob fetched before it is fetched again during it. */
  private void rollingRestartRefetchesNothing(Section section) {
    List<long[]> windows = phaseWindows();
    for (int i = 0; i < schedule.phases().size(); i++) {
      if (schedule.phases().get(i).kind() != FaultSchedule.Kind.ROLLING_RESTART) {
        continue;
      }
      long from = windows.get(i)[0];
      long to = windows.get(i)[1];
      Set<String> before = new HashSet<>();
      hubGets.stream().filter(g -> g.at() < from).forEach(g -> before.add(g.digest()));
      long refetched = hubGets.stream().filter(g -> g.at() >= from && g.at() < to && before.contains(g.digest())).count();
      long failed = pulls.stream().filter(p -> p.start() >= from && p.start() < to && !p.ok()).count();
      section.target("rolling restart: no pull lost, no blob fetched again", failed + " pulls failed, "
          + refetched + " blobs fetched again", failed == 0 && refetched == 0);
    }
  }

  private static String describe(List<Attempt> attempts) {
    StringBuilder out = new StringBuilder();
    for (Attempt attempt : attempts) {
      if (out.length() > 0) {
        out.append("; ");
      }
      out.append("node ").append(attempt.node()).append(": ").append(attempt.millis()).append(" ms");
      if (attempt.error() != null) {
        out.append(", ").append(attempt.error());
      }
    }
    return out.toString();
  }

  private String seconds(long at) {
    return fmt((at - loadStarted) / 1000.0);
  }

  private static String fmt(double value) {
    return Double.isNaN(value) ? "-" : String.format("%.1f", value);
  }
}
