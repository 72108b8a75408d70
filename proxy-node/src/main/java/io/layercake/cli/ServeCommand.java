package io.layercake.cli;

import akka.actor.CoordinatedShutdown;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.node.LayercakeNode;
import io.layercake.node.NodeConfig;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/** {@code layercake serve}: runs a node until SIGTERM. */
@Command(name = "serve", header = "Start a node",
    description = "Runs a node until SIGTERM. Configuration: -Dconfig.file=FILE, or the LAYERCAKE_* variables"
        + " that 'layercake --help' lists.")
final class ServeCommand implements Callable<Integer> {

  @ParentCommand
  private Layercake root;

  @Override
  public Integer call() {
    return serve(root.invocation().err());
  }

  private static int serve(PrintStream err) {
    // A configuration the node cannot run with, or a resource it cannot get (a port, the data
    // folder's lock): one line that says which, rather than a stack trace.
    Config config;
    try {
      config = NodeConfig.load();
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
    try {
      node.system().getWhenTerminated().toCompletableFuture().join();
    } catch (RuntimeException e) {
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
