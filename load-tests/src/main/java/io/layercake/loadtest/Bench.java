package io.layercake.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a scenario runs with: the options, a scratch folder of its own, the report folder for its
 * charts, and the factories of the systems it compares. Peers that are not installed are skipped
 * and named in the report.
 */
final class Bench {

  /** layercake's default tag freshness, which the nginx cache is given too. */
  static final Duration TAG_TTL = Duration.ofMinutes(5);
  private static final int WARM_UP_PULLS = 3;

  private final RunOptions options;
  private final Path work;
  private final Report report;
  private int folders;
  private int warmUps;

  Bench(RunOptions options, Path work, Report report) {
    this.options = options;
    this.work = work;
    this.report = report;
  }

  RunOptions options() {
    return options;
  }

  /** A new empty folder under the work folder. */
  Path folder(String name) throws IOException {
    return Files.createDirectories(work.resolve(String.format("%02d-%s", ++folders, name)));
  }

  /** Where a chart called {@code name} goes, and its name relative to the report. */
  Path chart(String name) {
    return report.directory().resolve(name);
  }

  /** The simulated internet with this run's bandwidth and latency. */
  SimulatedInternet internet() {
    return SimulatedInternet.start(options.bandwidth(), options.latency());
  }

  /** A fresh single layercake node in front of {@code internet}. */
  Mirror layercake(SimulatedInternet internet, int nodes) throws Exception {
    return layercake(internet, nodes, List.of());
  }

  /** The same, with JVM options added to the launcher's (a GC log, say). */
  Mirror layercake(SimulatedInternet internet, int nodes, List<String> jvmOptions) throws Exception {
    return LayercakeMirror.start(nodes, folder("layercake"), internet.url(), Map.of(), jvmOptions);
  }

  /**
   * The peers to compare with, fresh, in front of {@code internet}: registry:2 in proxy mode and
   * the nginx cache, each if installed; a missing one is noted in the report.
   */
  List<Mirror> peers(SimulatedInternet internet) throws IOException {
    List<Mirror> peers = new ArrayList<>();
    if (available(Peers.DISTRIBUTION)) {
      peers.add(Peers.distribution(folder("registry2"), internet.url()));
    }
    if (available(Peers.NGINX_CACHE)) {
      peers.add(Peers.nginxCache(folder("nginx"), internet.hostPort(), TAG_TTL));
    }
    return peers;
  }

  /**
   * Pulls a few small cold images through each URL, and directly, so that neither a server's nor
   * the client's JIT compiler is measured: users' mirrors are long-running processes.
   */
  void warmUp(SimulatedInternet internet, PullClient client, List<String> urls) throws IOException {
    ImageFactory factory = new ImageFactory(folder("warm-up"), 97);
    for (int i = 0; i < WARM_UP_PULLS; i++) {
      LoadImage image = factory.image("library/warm-up-" + (warmUps++), "latest", 1_500_000, 500_000);
      internet.publish(image);
      List<String> targets = new ArrayList<>(urls);
      targets.add(internet.url());
      for (String url : targets) {
        PullResult pull = client.pull(url, image.repository(), image.tag());
        if (!pull.ok()) {
          throw new IOException("warm-up pull through " + url + " failed: " + pull.error());
        }
      }
    }
  }

  /** Whether {@code peer} can run here; notes it in the report once if not. */
  boolean available(String peer) {
    return Peers.missing(peer).map(reason -> {
      report.note(peer + " left out: " + reason);
      return false;
    }).orElse(true);
  }
}
