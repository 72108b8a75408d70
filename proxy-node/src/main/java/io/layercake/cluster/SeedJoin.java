package io.layercake.cluster;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * With static seed nodes, Akka lets exactly one node form a new cluster: the first seed. Its join
 * process asks the other seeds every second; it joins the first that answers "I am in a cluster",
 * and joins itself when every other seed answers "I am in none", or when seed-node-timeout passes
 * with no such answer. That timeout is what a cold start of the whole cluster needs, and it is
 * wrong in one case that the fault harness (load-tests faults) hit at once: the first seed is cut
 * off by a partition, the split brain resolver on the majority side downs it, its supervisor
 * restarts it, no other seed answers (the partition still holds), and it forms a cluster of its
 * own. After the heal there are two clusters, for good: Akka never merges them. Each fetches from
 * upstream and owns every digest.
 *
 * A node that its cluster downed knows that the cluster most likely lives on. So it leaves a file
 * in its data folder when it stops for that reason, and when it starts with that file present its
 * seed-node-timeout is rejoin-timeout (5 min) instead of Akka's 5 s: silence from the other seeds
 * no longer counts as "there is no cluster". Once it is Up the file goes.
 *
 * Two answers still let it form a cluster. Every other seed positively answering that it is in no
 * cluster: then no cluster is left among the seeds (all of them were downed: a second fault while
 * the first was healing, which the harness hit too, would otherwise leave the whole cluster down
 * until rejoin-timeout). And rejoin-timeout passing, for the seeds that never answer at all.
 * A cluster made only of nodes outside the seed list is the one survivor this cannot see.
 */

/** Joins the configured seed nodes, never forming a second cluster after this node was downed. */
public final class SeedJoin {

  private static final Logger log = LoggerFactory.getLogger(SeedJoin.class);
  static final String DOWNED_FILE = "cluster-downed";

  private SeedJoin() {}

  /**
   * The Akka settings that the join needs, to lay over the node's configuration before its actor
   * system starts: for the first seed that its cluster downed, a seed-node-timeout of
   * {@code settings}' rejoin-timeout. Empty otherwise.
   */
  public static Config akkaSettings(ClusterSettings settings, Path dataDir) {
    if (!downedFirstSeed(settings, dataDir)) {
      return ConfigFactory.empty();
    }
    return ConfigFactory.parseMap(Map.of("akka.cluster.seed-node-timeout", settings.rejoinTimeout().toMillis() + "ms"));
  }

  /**
   * Starts joining {@code settings}' seed nodes, and arranges for a downing to be remembered in
   * {@code dataDir} (and forgotten once this node is Up).
   */
  public static void start(ActorSystem<?> system, ClusterSettings settings, Path dataDir) {
    Path downed = dataDir.resolve(DOWNED_FILE);
    rememberDowning(system, downed);
    akka.cluster.Cluster.get(system.classicSystem()).registerOnMemberUp(() -> forget(downed));
    if (downedFirstSeed(settings, dataDir)) {
      log.warn("This node was downed by its cluster ({}). It rejoins through seed nodes {} and, although it is the "
          + "first seed, forms a cluster of its own only when every other seed answers that it is in none, or "
          + "after {} (layercake.cluster.rejoin-timeout): the cluster that downed it most likely still runs",
          read(downed), settings.seedNodes(), settings.rejoinTimeout());
    } else {
      log.info("Joining the cluster through seed nodes {}", settings.seedNodes());
    }
    List<Address> seeds = settings.seedAddresses().stream().map(AddressFromURIString::parse).toList();
    Cluster.get(system).manager().tell(new JoinSeedNodes(seeds));
  }

  /** Whether this node is the first of several seeds, and its last run ended with its cluster downing it. */
  private static boolean downedFirstSeed(ClusterSettings settings, Path dataDir) {
    List<String> seeds = settings.seedAddresses();
    if (seeds.size() < 2 || !Files.exists(dataDir.resolve(DOWNED_FILE))) {
      return false;
    }
    // Compared before the actor system runs, so by host and port as configured (an IPv6 seed is
    // written in brackets, the host setting without).
    Address first = AddressFromURIString.parse(seeds.get(0));
    return first.getHost().map(host -> host.replace("[", "").replace("]", ""))
        .equals(Optional.of(settings.host().replace("[", "").replace("]", "")))
        && first.getPort().equals(Optional.of(settings.port()));
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
