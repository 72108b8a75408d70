package io.layercake.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.Sha256;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/*
 * Implementation notes
 *
 * The cluster runs in network namespaces (cluster-config/netns-cluster), so its nodes talk over a
 * bridge from distinct addresses and the nemesis can cut, freeze, kill and slow them. The clients
 * are separate JVMs in client namespaces (FaultPuller), so a fault on a node never stalls the
 * harness, and their records are files read at the end. The nemesis runs the schedule on this
 * thread, logging each step with its time; ClusterWatch samples every node's view of the
 * membership meanwhile. The checks then compare three independent records: what clients got,
 * what the hub served (its access log), and what the nodes said about the cluster.
 */

/**
 * {@code faults}: the cluster under a Jepsen-style schedule of partitions, pauses, crashes, a slow
 * link and a rolling restart, with clients pulling throughout. Needs root.
 */
final class FaultScenario implements Scenario {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int NODES = 3;
  private static final int CLIENTS = 2;
  private static final int THREADS_PER_CLIENT = 2;
  private static final long MB = 1024 * 1024;
  /** A failure is seen after about 4 s (1 s heartbeats, 3 s acceptable pause); then 503s are due. */
  static final long DETECTION_MILLIS = 6_000;
  /** What the issue allows a minority node for a refusal. */
  static final long FAST_FAIL_MILLIS = 5_000;

  @Override
  public Section run(Bench bench) throws Exception {
    Path root = Path.of("").toAbsolutePath();
    String unavailable = NetnsCluster.unavailableReason(root);
    if (unavailable != null) {
      throw new IllegalStateException("faults cannot run here: " + unavailable);
    }
    boolean quick = bench.options().quick();
    long seed = bench.options().seed();
    FaultSchedule schedule = quick ? FaultSchedule.quick(seed, NODES) : FaultSchedule.full(seed, NODES);
    Path work = bench.folder("faults");
    ImageFactory factory = new ImageFactory(work.resolve("layers"), seed);
    Files.createDirectories(work.resolve("layers"));
    List<LoadImage> initial = quick
        ? List.of(factory.image("library/alpha", "1", 2 * MB, 5 * MB),
            factory.image("library/beta", "1", MB, 3 * MB, 6 * MB),
            factory.image("team/gamma", "1", 8 * MB))
        : List.of(factory.image("library/alpha", "1", 8 * MB, 24 * MB),
            factory.image("library/beta", "1", 4 * MB, 16 * MB, 12 * MB),
            factory.image("team/gamma", "1", 32 * MB),
            factory.image("team/delta", "1", 2 * MB, 10 * MB));
    List<LoadImage> cold = quick
        ? List.of(factory.image("library/fresh", "1", 24 * MB, 16 * MB))
        : List.of(factory.image("library/fresh", "1", 64 * MB, 48 * MB), factory.image("team/fresh", "1", 40 * MB));

    Path imagesFile = work.resolve("images.txt");
    Path stopFile = work.resolve("stop");
    List<Path> outputs = new ArrayList<>();
    Nemesis nemesis;
    long loadStarted;
    long loadEnded;
    List<ClusterWatch.Sample> samples;
    List<HubLog.BlobGet> hubGets;
    Map<Integer, Integer> restarts = new TreeMap<>();
    System.out.println("   starting " + NODES + " nodes in network namespaces...");
    try (NetnsCluster cluster = NetnsCluster.start(root, NODES, CLIENTS, "100mbit")) {
      for (LoadImage image : initial) {
        cluster.push(dirLayout(image, work), image.reference());
      }
      Files.write(imagesFile, initial.stream().map(LoadImage::reference).toList(), StandardCharsets.UTF_8);
      List<Process> pullers = new ArrayList<>();
      String jar = Path.of(FaultPuller.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
      loadStarted = System.currentTimeMillis();
      try (ClusterWatch watch = new ClusterWatch(cluster)) {
        for (int k = 1; k <= CLIENTS; k++) {
          Path out = work.resolve("pulls-" + k + ".jsonl");
          outputs.add(out);
          pullers.add(new ProcessBuilder(cluster.inClient(k, List.of("java", "-Xmx160m", "-XX:+UseSerialGC",
                  "-cp", jar, FaultPuller.class.getName(), String.join(",", cluster.nodeUrls()),
                  imagesFile.toString(), out.toString(), stopFile.toString(), String.valueOf(seed * 10 + k),
                  String.valueOf(THREADS_PER_CLIENT))))
              .redirectErrorStream(true).redirectOutput(work.resolve("puller-" + k + ".log").toFile()).start());
        }
        nemesis = new Nemesis(cluster, watch, schedule, imagesFile, cold, work);
        nemesis.run();
        Files.writeString(stopFile, "stop");
        for (Process puller : pullers) {
          if (!puller.waitFor(5, TimeUnit.MINUTES)) {
            puller.destroyForcibly();
          }
        }
        loadEnded = System.currentTimeMillis();
        samples = watch.samples();
      }
      hubGets = HubLog.blobGets(cluster.hubLog());
      for (int n = 1; n <= NODES; n++) {
        restarts.put(n, countLines(cluster.nodeLog(n), "exited with status"));
      }
      Files.copy(cluster.hubLog(), bench.chart("faults-hub.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      for (int n = 1; n <= NODES; n++) {
        Files.copy(cluster.nodeLog(n), bench.chart("faults-node-" + n + ".log"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<FaultChecks.Pull> pulls = new ArrayList<>();
    for (Path out : outputs) {
      if (Files.exists(out)) {
        for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
          pulls.add(FaultChecks.Pull.parse(JSON.readTree(line)));
        }
      }
    }
    FaultChecks checks = new FaultChecks(schedule, nemesis.events(), pulls, samples, hubGets, restarts,
        loadStarted, loadEnded, NODES);
    return checks.section(bench, quick);
  }

  /** Writes {@code image} in skopeo's dir: layout, blobs linked rather than copied. */
  private static Path dirLayout(LoadImage image, Path work) throws IOException {
    Path dir = Files.createDirectories(work.resolve("push-" + image.repository().replace('/', '-') + "-" + image.tag()));
    Files.writeString(dir.resolve("version"), "Directory Transport Version: 1.1\n");
    Files.write(dir.resolve("manifest.json"), image.manifest());
    for (var blob : image.blobs()) {
      Path target = dir.resolve(Sha256.hex(blob.digest()));
      if (!Files.exists(target)) {
        Files.createLink(target, blob.file());
      }
    }
    return dir;
  }

  private static int countLines(Path file, String text) throws IOException {
    if (!Files.exists(file)) {
      return 0;
    }
    return (int) Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(line -> line.contains(text)).count();
  }

  /** Runs the schedule against the cluster and records what it did when. */
  static final class Nemesis {

    /** One thing the nemesis did: when (epoch ms), in which phase, what. */
    record Event(long at, int phase, String what, FaultSchedule.Kind kind, boolean lossOfNode) {}

    private final NetnsCluster cluster;
    private final ClusterWatch watch;
    private final FaultSchedule schedule;
    private final Path imagesFile;
    private final List<LoadImage> cold;
    private final Path work;
    private final List<Event> events = new ArrayList<>();

    Nemesis(NetnsCluster cluster, ClusterWatch watch, FaultSchedule schedule, Path imagesFile,
        List<LoadImage> cold, Path work) {
      this.cluster = cluster;
      this.watch = watch;
      this.schedule = schedule;
      this.imagesFile = imagesFile;
      this.cold = cold;
      this.work = work;
    }

    List<Event> events() {
      return List.copyOf(events);
    }

    void run() throws IOException, InterruptedException {
      List<FaultSchedule.Phase> phases = schedule.phases();
      for (int i = 0; i < phases.size(); i++) {
        FaultSchedule.Phase phase = phases.get(i);
        record(i, "phase " + (i + 1) + ": " + phase.kind().description, phase.kind(), false);
        switch (phase.kind()) {
          case STEADY -> Thread.sleep(phase.hold().toMillis());
          case PARTITION -> {
            int minority = phase.victim();
            cluster.fault("partition", others(minority) + "/" + minority);
            record(i, "partition " + others(minority) + " / " + minority, phase.kind(), true);
            Thread.sleep(phase.hold().toMillis());
            heal(i, phase);
          }
          case ISOLATE_COORDINATOR -> {
            int coordinator = coordinatorNode();
            cluster.fault("isolate", String.valueOf(coordinator));
            record(i, "isolate node " + coordinator + " (the coordinator's)", phase.kind(), true);
            Thread.sleep(phase.hold().toMillis());
            heal(i, phase);
          }
          case PAUSE -> {
            cluster.fault("pause", String.valueOf(phase.victim()));
            record(i, "pause node " + phase.victim(), phase.kind(), true);
            Thread.sleep(phase.hold().toMillis());
            cluster.fault("resume", String.valueOf(phase.victim()));
            record(i, "resume node " + phase.victim(), phase.kind(), false);
          }
          case KILL_DURING_FILLS -> {
            for (LoadImage image : cold) {
              cluster.push(dirLayout(image, work), image.reference());
            }
            Files.write(imagesFile, cold.stream().map(LoadImage::reference).toList(), StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
            record(i, "pushed " + cold.size() + " new image(s): fills start", phase.kind(), false);
            Thread.sleep(3000);
            cluster.fault("kill", String.valueOf(phase.victim()));
            record(i, "kill -9 node " + phase.victim(), phase.kind(), true);
            Thread.sleep(phase.hold().toMillis());
            cluster.fault("start", String.valueOf(phase.victim()));
            record(i, "start node " + phase.victim() + " on its data", phase.kind(), false);
          }
          case SLOW_LINK -> {
            cluster.fault("slow", String.valueOf(phase.victim()), "5mbps");
            record(i, "slow node " + phase.victim() + " to 5 MB/s", phase.kind(), false);
            Thread.sleep(phase.hold().toMillis());
            cluster.fault("slow", String.valueOf(phase.victim()), "off");
            record(i, "node " + phase.victim() + " at full speed", phase.kind(), false);
          }
          case ROLLING_RESTART -> {
            for (int n = 1; n <= cluster.nodeCount(); n++) {
              record(i, "SIGTERM node " + n, phase.kind(), true);
              cluster.fault("term", String.valueOf(n));
              cluster.fault("start", String.valueOf(n));
              awaitReady(n);
              record(i, "node " + n + " ready again", phase.kind(), false);
            }
          }
          default -> throw new IllegalStateException("no such phase " + phase.kind());
        }
        Thread.sleep(phase.recovery().toMillis());
      }
      record(phases.size(), "end of the schedule", FaultSchedule.Kind.STEADY, false);
    }

    private void heal(int phase, FaultSchedule.Phase step) throws IOException {
      cluster.fault("heal");
      record(phase, "heal", step.kind(), false);
    }

    /** The node hosting the shard coordinators, as the nodes report it; node 1 if they disagree. */
    private int coordinatorNode() {
      String address = watch.coordinator().orElse("");
      for (int n = 1; n <= cluster.nodeCount(); n++) {
        if (cluster.remotingAddress(n).equals(address)) {
          return n;
        }
      }
      return 1;
    }

    private void awaitReady(int node) throws InterruptedException {
      long deadline = System.currentTimeMillis() + 120_000;
      while (System.currentTimeMillis() < deadline) {
        if (HttpProbe.status(cluster.nodeUrl(node) + "/readyz") == 200) {
          return;
        }
        Thread.sleep(250);
      }
    }

    private String others(int node) {
      List<String> rest = new ArrayList<>();
      for (int n = 1; n <= cluster.nodeCount(); n++) {
        if (n != node) {
          rest.add(String.valueOf(n));
        }
      }
      return String.join(",", rest);
    }

    private void record(int phase, String what, FaultSchedule.Kind kind, boolean lossOfNode) {
      events.add(new Event(System.currentTimeMillis(), phase, what, kind, lossOfNode));
      System.out.println("   " + java.time.LocalTime.now().withNano(0) + " " + what);
    }
  }
}
