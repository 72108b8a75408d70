package io.layercake.cli;

import io.layercake.node.LayercakeNode;
import io.layercake.node.NodeConfig;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/** The {@code layercake} command: starts a node, and (as they arrive) the operator's verbs. */
public final class Layercake {

  private static final String USAGE = String.join("\n",
      "Usage: layercake COMMAND [OPTIONS]",
      "",
      "A clustered pull-through cache for Docker Hub.",
      "",
      "Commands:",
      "  serve      Start a node (configuration: -Dconfig.file=FILE or LAYERCAKE_* variables)",
      "  cluster    Show the cluster's members, their shards and blob bytes",
      "  pull       Prewarm the cache with an image, as a client's pull would",
      "             layercake pull IMAGE [--platform os/arch|all]   (default linux/amd64)",
      "  save       Write cached images to a docker-save compatible tar archive",
      "             layercake save IMAGE... -o FILE.tar [--platform os/arch|all]",
      "  load       Seed the cache from a tar archive (layercake save or docker save)",
      "             layercake load -i FILE.tar",
      "  inspect    Show an image's manifest, config, layers (with the nodes holding them)",
      "             and tag history as JSON: layercake inspect IMAGE [--platform os/arch|all]",
      "  history    Show where a tag pointed over time: layercake history IMAGE[:TAG]",
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
      "  LAYERCAKE_URL                node the admin commands talk to (default http://127.0.0.1:5000;",
      "                               or --url URL)",
      "  LAYERCAKE_ADMIN_TOKEN        admin API token (the node's layercake.admin.token)",
      "",
      "IMAGE is a docker-style reference: redis, redis:7, bitnami/redis:7.2, redis@sha256:...",
      "");

  private Layercake() {}

  /** Runs the command named by the first argument. */
  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, System.getenv());
  }

  /** Runs a command with {@code env} standing for the environment (tests pass their own). */
  static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
    String command = args.isEmpty() ? "help" : args.get(0);
    switch (command) {
      case "serve":
        return serve();
      case "cluster":
        return admin(args.subList(1, args.size()), env, err, client -> ClusterCommand.run(client, out));
      case "pull":
        return verb(args, env, out, err, PullCommand.OPTIONS, PullCommand::run);
      case "save":
        return verb(args, env, out, err, SaveCommand.OPTIONS, SaveCommand::run);
      case "load":
        return verb(args, env, out, err, LoadCommand.OPTIONS, LoadCommand::run);
      case "inspect":
        return verb(args, env, out, err, InspectCommand.OPTIONS, InspectCommand::run);
      case "history":
        return verb(args, env, out, err, Map.of(), HistoryCommand::run);
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

  /** Runs an admin verb against the node named by --url or LAYERCAKE_URL. */
  private static int admin(List<String> options, Map<String, String> env, PrintStream err,
      ToIntFunction<AdminClient> verb) {
    String url = env.getOrDefault("LAYERCAKE_URL", "http://127.0.0.1:5000");
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      if (option.equals("--url") && i + 1 < options.size()) {
        url = options.get(++i);
      } else if (option.startsWith("--url=")) {
        url = option.substring("--url=".length());
      } else {
        err.println("layercake: unknown option '" + option + "'. See 'layercake --help'.");
        return 2;
      }
    }
    try {
      return verb.applyAsInt(new AdminClient(url, env.getOrDefault("LAYERCAKE_ADMIN_TOKEN", "")));
    } catch (AdminClient.CliException e) {
      err.println("layercake: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Runs an image verb: parses its options (plus --url), then runs it against the node. A bad
   * command line exits 2, a failure 1, each with one line on stderr.
   */
  private static int verb(List<String> args, Map<String, String> env, PrintStream out, PrintStream err,
      Map<String, String> options, Verb verb) {
    CommandLine line;
    try {
      line = CommandLine.parse(args.get(0), args.subList(1, args.size()), CommandLine.withUrl(options));
    } catch (AdminClient.CliException e) {
      err.println("layercake: " + e.getMessage());
      return 2;
    }
    String url = line.option("--url").orElse(env.getOrDefault("LAYERCAKE_URL", "http://127.0.0.1:5000"));
    try {
      return verb.run(new AdminClient(url, env.getOrDefault("LAYERCAKE_ADMIN_TOKEN", "")), line, out);
    } catch (AdminClient.CliException e) {
      err.println("layercake: " + e.getMessage());
      return 1;
    }
  }

  /** An image verb. */
  interface Verb {
    /** Runs the verb; returns the exit status. */
    int run(AdminClient client, CommandLine line, PrintStream out);
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
