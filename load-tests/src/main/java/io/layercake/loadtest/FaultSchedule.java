package io.layercake.loadtest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The nemesis's plan: phases run one after another, each a fault held for a while and then undone,
 * followed by a recovery period in which the cluster must come back whole. Which node each fault
 * hits is drawn from a seeded random source, so a run is repeated exactly by giving the same seed.
 */
final class FaultSchedule {

  /** What a phase does to the cluster. */
  enum Kind {
    /** Nothing: the load alone. */
    STEADY("steady load"),
    /** The victim on one side, the other nodes on the other. */
    PARTITION("partition: majority | minority"),
    /** The node that hosts the shard coordinators, cut off from every other node. */
    ISOLATE_COORDINATOR("isolate the coordinator's node"),
    /** SIGSTOP for longer than the failure detector and the split brain resolver wait. */
    PAUSE("pause a node"),
    /** New images pushed, so that fills run; then kill -9 of a node and a restart on its data. */
    KILL_DURING_FILLS("kill -9 during fills, restart"),
    /** The victim's link limited to 5 MB/s both ways. */
    SLOW_LINK("slow one node's link to 5 MB/s"),
    /** Every node in turn: SIGTERM, start on its data, wait until it is ready. */
    ROLLING_RESTART("rolling restart (SIGTERM)");

    final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  /**
   * One phase.
   *
   * @param kind what it does
   * @param victim the node it hits (1-based), or 0 when it picks at run time or hits none
   * @param hold how long the fault lasts before it is undone
   * @param recovery how long the load runs on after the undo, before the next phase
   */
  record Phase(Kind kind, int victim, Duration hold, Duration recovery) {}

  private final long seed;
  private final List<Phase> phases;

  private FaultSchedule(long seed, List<Phase> phases) {
    this.seed = seed;
    this.phases = List.copyOf(phases);
  }

  /**
   * Every kind of fault once, with holds long enough for the split brain resolver to act (it
   * decides 10 s after membership is stable, and a failure needs about 4 s to be seen): about 11
   * minutes of load on {@code nodes} nodes.
   */
  static FaultSchedule full(long seed, int nodes) {
    Random random = new Random(seed);
    List<Phase> phases = new ArrayList<>();
    phases.add(new Phase(Kind.STEADY, 0, Duration.ofSeconds(60), Duration.ZERO));
    phases.add(new Phase(Kind.PARTITION, pick(random, nodes), Duration.ofSeconds(60), Duration.ofSeconds(45)));
    phases.add(new Phase(Kind.ISOLATE_COORDINATOR, 0, Duration.ofSeconds(45), Duration.ofSeconds(45)));
    phases.add(new Phase(Kind.PAUSE, pick(random, nodes), Duration.ofSeconds(30), Duration.ofSeconds(45)));
    phases.add(new Phase(Kind.KILL_DURING_FILLS, pick(random, nodes), Duration.ofSeconds(30), Duration.ofSeconds(45)));
    phases.add(new Phase(Kind.SLOW_LINK, pick(random, nodes), Duration.ofSeconds(60), Duration.ofSeconds(20)));
    phases.add(new Phase(Kind.ROLLING_RESTART, 0, Duration.ZERO, Duration.ofSeconds(30)));
    phases.add(new Phase(Kind.STEADY, 0, Duration.ofSeconds(30), Duration.ZERO));
    return new FaultSchedule(seed, phases);
  }

  /**
   * The short schedule for CI, under 6 minutes with the cluster's start: a partition that isolates
   * the coordinator's node (two faults in one), a pause, a kill during fills and a rolling
   * restart, each held just past the resolver's decision.
   */
  static FaultSchedule quick(long seed, int nodes) {
    Random random = new Random(seed);
    List<Phase> phases = new ArrayList<>();
    phases.add(new Phase(Kind.STEADY, 0, Duration.ofSeconds(15), Duration.ZERO));
    phases.add(new Phase(Kind.ISOLATE_COORDINATOR, 0, Duration.ofSeconds(25), Duration.ofSeconds(30)));
    phases.add(new Phase(Kind.PAUSE, pick(random, nodes), Duration.ofSeconds(22), Duration.ofSeconds(30)));
    phases.add(new Phase(Kind.KILL_DURING_FILLS, pick(random, nodes), Duration.ofSeconds(12), Duration.ofSeconds(25)));
    phases.add(new Phase(Kind.ROLLING_RESTART, 0, Duration.ZERO, Duration.ofSeconds(10)));
    return new FaultSchedule(seed, phases);
  }

  private static int pick(Random random, int nodes) {
    return 1 + random.nextInt(nodes);
  }

  long seed() {
    return seed;
  }

  List<Phase> phases() {
    return phases;
  }

  /** The kinds of fault it holds (steady load is none). */
  long faultKinds() {
    return phases.stream().map(Phase::kind).filter(kind -> kind != Kind.STEADY).distinct().count();
  }
}
