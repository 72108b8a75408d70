package io.layercake.cli;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.node.LayercakeNode;
import io.layercake.node.NodeConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code layercake serve}: runs a node until SIGTERM. */
@Command(name = "serve", header = "Start a node",
    description = "Runs a node until SIGTERM. Configuration: a HOCON file laid over the defaults (--config, or"
        + " LAYERCAKE_CONFIG), and the LAYERCAKE_* variables that 'layercake --help' lists. A key under"
        + " layercake that no setting reads is an error.")
final class ServeCommand implements Callable<Integer> {

  /**
   * How long the node waits for its actor system to terminate once the last shutdown phase is
   * reached: Akka gives that phase 10 s, and a few more cover a slow but healthy stop.
   */
  private static final Duration TERMINATION_LIMIT = Duration.ofSeconds(20);
  /** The variable that logback.xml reads to choose the log format, and the formats it knows. */
  static final String LOG_FORMAT = "LAYERCAKE_LOG_FORMAT";
  static final List<String> LOG_FORMATS = List.of("text", "json");

  @ParentCommand
  private Layercake root;

  @Option(names = "--config", paramLabel = "FILE",
      description = "HOCON file laid over the defaults (else the file LAYERCAKE_CONFIG names)")
  private String configFile;

  @Option(names = "--check-config",
      description = "check the configuration as a start would, start nothing, and exit: 0 if it is valid")
  private boolean checkOnly;

  @Override
  public Integer call() {
    if (checkOnly) {
      return check(root.invocation().out(), root.invocation().err());
    }
    return serve(root.invocation().err());
  }

  private int check(PrintStream out, PrintStream err) {
    try {
      LayercakeNode.check(NodeConfig.load(Optional.ofNullable(configFile)));
    } catch (IllegalArgumentException | IllegalStateException | ConfigException e) {
      err.println("layercake: the configuration is not valid: " + e.getMessage());
      return 1;
    }
    out.println("layercake: the configuration is valid" + (configFile == null ? "" : " (" + configFile + ")"));
    return 0;
  }

  private int serve(PrintStream err) {
    String logFormat = System.getenv(LOG_FORMAT);
    if (logFormat != null && !LOG_FORMATS.contains(logFormat)) {
      // logback.xml picks its appender by this name: any other would leave the node silent.
      err.println("layercake: the node did not start: " + LOG_FORMAT + " must be one of " + LOG_FORMATS
          + ", got '" + logFormat + "'");
      return 1;
    }
    // A configuration the node cannot run with, or a resource it cannot get (a port, the data
    // folder's lock): one line that says which, rather than a stack trace.
    Config config;
    try {
      config = NodeConfig.load(Optional.ofNullable(configFile));
    } catch (IllegalArgumentException | ConfigException e) {
      err.println("layercake: the node did not start: " + e.getMessage());
      return 1;
    }
    LayercakeNode node;
    try {
      node = LayercakeNode.start(config);
    } catch (IllegalStateException e) {
      err.println("layercake: " + e.getMessage());
      return 1;
    }
    CompletableFuture<Void> lastPhase = new CompletableFuture<>();
    CoordinatedShutdown.get(node.system()).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "layercake-exit-deadline", () -> {
          lastPhase.complete(null);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    CompletableFuture<?> terminated = node.system().getWhenTerminated().toCompletableFuture();
    try {
      CompletableFuture.anyOf(terminated, lastPhase).join();
      // Termination can wait on a remoting connection to a peer that no longer answers: once, a
      // downed node took 112 s to exit, and the cluster lost its majority meanwhile. Once every
      // phase before it has run, the node exits within TERMINATION_LIMIT, so that its supervisor
      // restarts it and it rejoins.
      terminated.get(TERMINATION_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      err.println("layercake: the actor system did not finish terminating within " + TERMINATION_LIMIT.toSeconds()
          + " s; exiting anyway");
    } catch (ExecutionException | RuntimeException e) {
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
    // Stopped by SIGTERM: a clean exit. Anything else (downed by the split brain resolver, removed
    // from the cluster) is a failure, so that systemd, Kubernetes or docker restart the node.
    Optional<CoordinatedShutdown.Reason> reason = CoordinatedShutdown.get(node.system()).getShutdownReason();
    if (reason.isEmpty() || reason.get().equals(CoordinatedShutdown.jvmExitReason())) {
      return 0;
    }
    err.println("layercake: the node stopped: " + reason.get());
    return 1;
  }
}
