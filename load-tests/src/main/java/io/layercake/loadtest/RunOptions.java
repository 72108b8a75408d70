package io.layercake.loadtest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one {@code load-tests/run} invocation was asked to do. Every scenario is bounded by these:
 * a duration, a request count, or both.
 *
 * @param scenarios the scenarios to run, in order
 * @param quick shorter runs and smaller images, to check the harness rather than to measure
 * @param runners concurrent clients for {@code fleet} and {@code herd} (0: the scenario's default)
 * @param duration how long each throughput measurement or the fleet runs
 * @param bandwidth the simulated internet's bytes per second per response
 * @param latency the simulated internet's delay before each response
 * @param reportsRoot where the timestamped report folder goes
 * @param workRoot where generated images, caches and node data go (deleted afterwards)
 * @param seed the fault schedule's random seed (which nodes it hits) and its images' content
 */
public record RunOptions(
    List<String> scenarios,
    boolean quick,
    int runners,
    Duration duration,
    long bandwidth,
    Duration latency,
    Path reportsRoot,
    Path workRoot,
    long seed) {

  /** The scenarios in the order {@code all} runs them. */
  public static final List<String> SCENARIOS = List.of("cold", "herd", "warm", "fleet", "memory", "flood");
  /** Scenarios that {@code all} leaves out: they need root, or measure layercake alone. */
  static final List<String> ROOT_SCENARIOS = List.of("faults", "tags");

  static final String USAGE = """
      usage: load-tests/run SCENARIO... [options]
        scenarios: cold | herd | warm | fleet | memory | flood | tags | all | faults
          flood: 100,000 random digests and tags against one node; its heap must stay flat
          tags: 3 nodes under Docker Hub's pull limit for 3 windows (never upstream's 429),
                and 5 hot tags moving with predictive refresh on and off (not part of all;
                about 4 minutes, --quick 3)
          faults: 3 nodes in network namespaces under partitions, pauses, kill -9, a slow link
                  and a rolling restart, clients pulling throughout (root; not part of all;
                  about 12 minutes, --quick under 6)
        --quick             small images and short runs: checks the harness, measures little
        --runners N         concurrent clients for fleet (default 8) and herd (default 32)
        --duration SECONDS  length of each throughput run and of the fleet (default 10 and 60)
        --bandwidth MBPS    simulated upstream bandwidth per response, MB/s (default 50)
        --latency MS        simulated upstream delay per request (default 40)
        --reports DIR       where reports go (default load-tests/reports)
        --work DIR          scratch space for images and caches (default a temp folder)
        --seed N            the fault schedule's seed: which nodes it hits (default 1)
        -h, --help          this text
      Needs on PATH for the peers: docker-registry (registry:2 proxy), nginx; for warm: wrk.
      Missing peers are left out of the comparison and named in the report.
      """;

  /** Parses the command line; throws {@link IllegalArgumentException} with a one-line reason. */
  public static RunOptions parse(String[] args) {
    List<String> scenarios = new ArrayList<>();
    boolean quick = false;
    int runners = 0;
    Duration duration = null;
    long bandwidth = 50L * 1000 * 1000;
    Duration latency = Duration.ofMillis(40);
    Path reports = Path.of("load-tests", "reports");
    Path work = null;
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--quick" -> quick = true;
        case "--runners" -> runners = positive(arg, value(args, ++i, arg));
        case "--duration" -> duration = Duration.ofSeconds(positive(arg, value(args, ++i, arg)));
        case "--bandwidth" -> bandwidth = positive(arg, value(args, ++i, arg)) * 1000L * 1000;
        case "--latency" -> latency = Duration.ofMillis(nonNegative(arg, value(args, ++i, arg)));
        case "--reports" -> reports = Path.of(value(args, ++i, arg));
        case "--work" -> work = Path.of(value(args, ++i, arg));
        case "--seed" -> seed = nonNegative(arg, value(args, ++i, arg));
        case "all" -> scenarios.addAll(SCENARIOS);
        default -> {
          String name = arg.toLowerCase(Locale.ROOT);
          if (!SCENARIOS.contains(name) && !ROOT_SCENARIOS.contains(name)) {
            throw new IllegalArgumentException("unknown scenario or option: " + arg);
          }
          scenarios.add(name);
        }
      }
    }
    if (scenarios.isEmpty()) {
      throw new IllegalArgumentException("name a scenario: " + String.join(", ", SCENARIOS) + " or all");
    }
    return new RunOptions(List.copyOf(scenarios), quick, runners, duration, bandwidth, latency,
        reports, work, seed);
  }

  /** The length of one throughput measurement: {@code --duration}, else 10 s (3 s quick). */
  public Duration measureFor() {
    return duration != null ? duration : Duration.ofSeconds(quick ? 3 : 10);
  }

  /** The length of a fleet run: {@code --duration}, else 60 s (15 s quick). */
  public Duration fleetFor() {
    return duration != null ? duration : Duration.ofSeconds(quick ? 15 : 60);
  }

  /** {@code --runners}, else {@code fallback}. */
  public int runnersOr(int fallback) {
    return runners > 0 ? runners : fallback;
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[index];
  }

  private static int positive(String option, String text) {
    int value = nonNegative(option, text);
    if (value == 0) {
      throw new IllegalArgumentException(option + " must be positive");
    }
    return value;
  }

  private static int nonNegative(String option, String text) {
    try {
      int value = Integer.parseInt(text);
      if (value < 0) {
        throw new IllegalArgumentException(option + " must not be negative: " + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got " + text);
    }
  }
}
