package io.layercake.cli;

import io.layercake.node.LayercakeNode;
import io.layercake.node.NodeConfig;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** The {@code layercake} command: starts a node, and (as they arrive) the operator's verbs. */
public final class Layercake {

  private static final String USAGE = String.join("\n",
      "Usage: layercake COMMAND [OPTIONS]",
      "",
      "A clustered pull-through cache for Docker Hub.",
      "",
      "Commands:",
      "  serve      Start a node (configuration: -Dconfig.file=FILE or LAYERCAKE_* variables)",
      "  version    Print the version",
      "  help       Print this help",
      "",
      "Environment:",
      "  LAYERCAKE_HTTP_PORT          registry API port (default 5000)",
      "  LAYERCAKE_HTTP_INTERFACE     registry API address (default 0.0.0.0)",
      "  LAYERCAKE_DATA_DIR           data folder (default ./data)",
      "  LAYERCAKE_UPSTREAM_URL       upstream registry (default https://registry-1.docker.io)",
      "  LAYERCAKE_UPSTREAM_USERNAME  optional upstream credentials",
      "  LAYERCAKE_UPSTREAM_PASSWORD",
      "");

  private Layercake() {}

  /** Runs the command named by the first argument. */
  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    String command = args.isEmpty() ? "help" : args.get(0);
    switch (command) {
      case "serve":
        return serve();
      case "version":
      case "--version":
        out.println("layercake " + version());
        return 0;
      case "help":
      case "--help":
      case "-h":
        out.print(USAGE);
        return 0;
      default:
        err.println("layercake: '" + command + "' is not a layercake command. See 'layercake --help'.");
        return 2;
    }
  }

  private static int serve() {
    LayercakeNode node = LayercakeNode.start(NodeConfig.load());
    try {
      node.system().getWhenTerminated().toCompletableFuture().join();
      return 0;
    } catch (RuntimeException e) {
      return 1;
    }
  }

  private static String version() {
    String version = Layercake.class.getPackage().getImplementationVersion();
    return version == null ? "development build" : version;
  }
}
