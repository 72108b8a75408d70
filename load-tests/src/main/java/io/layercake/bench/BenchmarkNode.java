package io.layercake.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.layercake.node.NodeConfig;
import io.layercake.testkit.TestFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The parts of a layercake node that a benchmark starts for itself: a data folder of its own and,
 * where the code under test needs one, an actor system configured as a node's.
 *
 * <p>The data folder is a fresh temp folder under {@code java.io.tmpdir}: to measure another disk,
 * run with {@code -jvmArgsAppend -Djava.io.tmpdir=/path/on/that/disk}.
 */
final class BenchmarkNode {

  private static final long TERMINATE_TIMEOUT_SECONDS = 60;

  private BenchmarkNode() {}

  /** A new, empty data folder whose name says which benchmark made it. */
  static Path newDataDir(String benchmark) {
    try {
      return Files.createTempDirectory("layercake-bench-" + benchmark + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a data folder for " + benchmark, e);
    }
  }

  /** Deletes a data folder made by {@link #newDataDir}; null (setup failed early) is fine. */
  static void deleteDataDir(Path dataDir) {
    if (dataDir != null) {
      TestFiles.deleteRecursively(dataDir);
    }
  }

  /**
   * A node's configuration ({@link NodeConfig}, so the journal plugin, serializers and the blocking
   * dispatcher are the production ones) with its data in {@code dataDir}, {@code overrides} on top.
   *
   * <p>The actor provider is local: the code measured here never leaves the node, and a cluster
   * provider would bind the remoting port, which a node running on the same machine may hold.
   */
  static Config config(Path dataDir, Config overrides) {
    Config benchmark = ConfigFactory.parseString(
            "akka.actor.provider = local\n"
                + "akka.loglevel = WARNING\n")
        .withValue("layercake.storage.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString()));
    return NodeConfig.load(overrides.withFallback(benchmark));
  }

  /** An actor system with no guardian behaviour; stop it with {@link #terminate}. */
  static ActorSystem<Void> startSystem(String name, Config config) {
    return ActorSystem.create(Behaviors.empty(), name, config);
  }

  /**
   * Terminates {@code system} and waits for it, so that the node database it opened is closed
   * before its folder is deleted. Null (setup failed early) is fine.
   */
  static void terminate(ActorSystem<?> system) {
    if (system == null) {
      return;
    }
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(TERMINATE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping " + system.name(), e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the actor system " + system.name() + " did not stop", e);
    }
  }
}
