package io.layercake.cluster;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * With static seed nodes, Akka lets exactly one node form a new cluster: the first seed, when no
 * other seed answers within seed-node-timeout. That is what a cold start of the whole cluster
 * needs, and it is wrong in one case that the fault harness (load-tests faults) hit at once: the
 * first seed is cut off by a partition, the split brain resolver on the majority side downs it,
 * its supervisor restarts it, no other seed answers (the partition still holds), and it forms a
 * cluster of its own. After the heal there are two clusters, for good: Akka never merges them.
 * Each fetches from upstream and owns every digest.
 *
 * A node that its cluster downed knows that the cluster most likely lives on. So it leaves a file
 * in its data folder when it stops for that reason, and when it starts with that file present it
 * joins with its own address moved to the end of the seed list: then Akka's join process only asks
 * the other seeds, retrying until one lets it in, and never joins itself. Once it is Up the file
 * goes. If the whole cluster was downed (a three-way split, say), nobody would ever form it again,
 * so after rejoin-timeout the node joins with the configured order once more, and the first seed
 * may form a cluster as at a cold start.
 */

/** Joins the configured seed nodes, never forming a second cluster after this node was downed. */
public final class SeedJoin {

  private static final Logger log = LoggerFactory.getLogger(SeedJoin.class);
  static final String DOWNED_FILE = "cluster-downed";

  private SeedJoin() {}

  /**
   * Starts joining {@code settings}' seed nodes, and arranges for a downing to be remembered in
   * {@code dataDir} (and forgotten once this node is Up).
   */
  public static void start(ActorSystem<?> system, ClusterSettings settings, Path dataDir) {
    Path downed = dataDir.resolve(DOWNED_FILE);
    rememberDowning(system, downed);
    Cluster cluster = Cluster.get(system);
    akka.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> forget(downed));
    List<Address> seeds = settings.seedAddresses().stream().map(AddressFromURIString::parse).toList();
    Address self = cluster.selfMember().address();
    boolean mayForm = seeds.get(0).equals(self) && seeds.size() > 1;
    if (!mayForm || !Files.exists(downed)) {
      log.info("Joining the cluster through seed nodes {}", settings.seedNodes());
      cluster.manager().tell(new JoinSeedNodes(seeds));
      return;
    }
    List<Address> othersFirst = new ArrayList<>(seeds);
    othersFirst.remove(self);
    othersFirst.add(self);
    log.warn("This node was downed by its cluster ({}). It rejoins through seed nodes {} and, although it is the "
        + "first seed, does not form a cluster of its own for {} (layercake.cluster.rejoin-timeout): the "
        + "cluster that downed it most likely still runs", read(downed), settings.seedNodes(),
        settings.rejoinTimeout());
    cluster.manager().tell(new JoinSeedNodes(othersFirst));
    system.scheduler().scheduleOnce(settings.rejoinTimeout(), () -> {
      if (cluster.selfMember().status() == akka.cluster.MemberStatus.joining()
          || cluster.selfMember().status() == akka.cluster.MemberStatus.up()
          || cluster.selfMember().status() == akka.cluster.MemberStatus.weaklyUp()) {
        return;
      }
      log.warn("No other seed node let this node in within {}: joining as at a cold start, so that as the first "
          + "seed it may form the cluster", settings.rejoinTimeout());
      cluster.manager().tell(new JoinSeedNodes(seeds));
    }, system.executionContext());
  }

  /** Writes {@code downed} when the node stops because the cluster downed it. */
  private static void rememberDowning(ActorSystem<?> system, Path downed) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "remember-downing", () -> {
      boolean byCluster = shutdown.getShutdownReason()
          .filter(reason -> reason.equals(CoordinatedShutdown.clusterDowningReason()))
          .isPresent();
      if (byCluster) {
        write(downed, "downed at " + Instant.now());
      }
      return CompletableFuture.completedFuture(akka.Done.getInstance());
    });
  }

  private static void write(Path file, String text) {
    try {
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, text + "\n", StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("Cannot remember in {} that the cluster downed this node: {}", file, e.getMessage());
    }
  }

  private static void forget(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      log.warn("Cannot remove {}: {}", file, e.getMessage());
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "when, unknown";
    }
  }
}
