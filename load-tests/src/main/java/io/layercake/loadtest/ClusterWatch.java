package io.layercake.loadtest;

import io.layercake.testkit.ClusterReport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Records, every two seconds, the cluster as each node reports it ({@code GET /admin/cluster}):
 * the members it counts as Up and the member it names as the shard coordinator's host. One thread
 * per node, so that a paused or partitioned node, which answers late or never, does not delay the
 * others' samples.
 */
final class ClusterWatch implements AutoCloseable {

  private static final long PERIOD_MILLIS = 2000;

  /**
   * One node's answer at one time.
   *
   * @param at when the answer arrived, epoch milliseconds
   * @param node the node asked (1-based)
   * @param up the remoting addresses it reports as Up and reachable, empty if it did not answer
   * @param coordinator the address it names as the oldest Up member, empty if none or no answer
   */
  record Sample(long at, int node, Set<String> up, String coordinator) {
    /** Whether it answered and counts at least one member Up: it is in a cluster. */
    boolean seesCluster() {
      return !up.isEmpty();
    }
  }

  private final List<Sample> samples = new CopyOnWriteArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();

  ClusterWatch(NetnsCluster cluster) {
    for (int n = 1; n <= cluster.nodeCount(); n++) {
      int node = n;
      Thread thread = new Thread(() -> watch(cluster, node), "cluster-watch-" + n);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
  }

  private void watch(NetnsCluster cluster, int node) {
    while (running.get()) {
      long started = System.currentTimeMillis();
      Optional<ClusterReport> report = ClusterReport.tryFetch(cluster.nodeUrl(node), cluster.adminToken());
      Set<String> up = new HashSet<>();
      String coordinator = "";
      if (report.isPresent()) {
        for (ClusterReport.Member member : report.get().members()) {
          if (member.status().equals("Up") && member.reachable()) {
            up.add(member.address());
          }
        }
        coordinator = report.get().coordinator();
      }
      samples.add(new Sample(System.currentTimeMillis(), node, Set.copyOf(up), coordinator));
      long rest = PERIOD_MILLIS - (System.currentTimeMillis() - started);
      if (rest > 0) {
        try {
          Thread.sleep(rest);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  List<Sample> samples() {
    return List.copyOf(samples);
  }

  /** The newest answer of each node within {@code windowMillis} before {@code at}. */
  List<Sample> latestBefore(long at, long windowMillis) {
    List<Sample> latest = new ArrayList<>();
    for (int node : samples.stream().map(Sample::node).distinct().toList()) {
      samples.stream()
          .filter(s -> s.node() == node && s.at() <= at && s.at() > at - windowMillis && s.seesCluster())
          .reduce((a, b) -> b)
          .ifPresent(latest::add);
    }
    return latest;
  }

  /** The coordinator's host as the most recent answers name it, if they agree. */
  Optional<String> coordinator() {
    List<Sample> latest = latestBefore(System.currentTimeMillis(), 10_000);
    Set<String> named = new HashSet<>();
    latest.forEach(sample -> named.add(sample.coordinator()));
    return named.size() == 1 && !named.contains("") ? Optional.of(named.iterator().next()) : Optional.empty();
  }

  @Override
  public void close() {
    running.set(false);
    threads.forEach(Thread::interrupt);
  }
}
