package io.layercake.cli;

import akka.actor.CoordinatedShutdown;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.node.LayercakeNode;
import io.layercake.node.NodeConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The {@code layercake} command: starts a node, and the operator's verbs. */
public final class Layercake {

  private static final String USAGE = String.join("\n",
      "Usage: layercake COMMAND [OPTIONS]",
      "",
      "A clustered pull-through cache for Docker Hub.",
      "",
      "Commands:",
      "  serve      Start a node (configuration: -Dconfig.file=FILE or LAYERCAKE_* variables)",
      "  cluster    Show the cluster's members, their shards and blob bytes",
      "  images     List the images cached in the cluster",
      "  rmi        Remove images from the cache",
      "  prune      Remove dangling blobs, or with -a all unpinned images, from the cache",
      "  pin        Pin a cached image: never evicted or pruned",
      "  unpin      Remove an image's pin",
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
      "  LAYERCAKE_STORAGE_MAX_SIZE   cap on the node's blob bytes (default 50GiB)",
      "  LAYERCAKE_URL                node the admin commands talk to (default http://127.0.0.1:5000;",
      "                               or --url URL)",
      "  LAYERCAKE_ADMIN_TOKEN        admin API token (the node's layercake.admin.token)",
      "  LAYERCAKE_CA_CERT            PEM CA to trust when the node's HTTPS certificate has a private CA",
      "",
      "IMAGE is a docker-style reference: redis, redis:7, bitnami/redis:7.2, redis@sha256:...",
      "cluster, images, rmi, prune, pin and unpin print their options with --help.",
      "");

  private static final String CLUSTER_USAGE = String.join("\n",
      "Usage: layercake cluster [--url URL]",
      "",
      "Show the cluster's members, their status, shards and blob bytes.",
      "");

  private Layercake() {}

  /** Runs the command named by the first argument. */
  /** The JDK's bound on the temporary direct buffers it caches per thread (see capCachedIoBuffers). */
  private static final String MAX_CACHED_BUFFER = "jdk.nio.maxCachedBufferSize";

  public static void main(String[] args) {
    capCachedIoBuffers();
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /**
   * A read into a heap array goes through a temporary direct buffer of the read's size, which the
   * JDK keeps, per thread, for the next read, with no bound by default. Blob reads run on a few
   * dozen threads and reach 2 MiB, so those caches held about 80 MiB outside the heap (NMT's
   * "Other" in the memory scenario) and put the peak resident set of 16 concurrent 1 GB pulls over
   * 512 MiB in some runs. Larger buffers are allocated per read and freed at once instead. Set
   * here, before any channel is used, unless the operator set it in the JVM options.
   */
  private static void capCachedIoBuffers() {
    if (System.getProperty(MAX_CACHED_BUFFER) == null) {
      System.setProperty(MAX_CACHED_BUFFER, String.valueOf(256 * 1024));
    }
  }

  static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, out, err, System.getenv());
  }

  /** Runs a command with {@code env} standing for the environment (tests pass their own). */
  static int run(List<String> args, PrintStream out, PrintStream err, Map<String, String> env) {
    String command = args.isEmpty() ? "help" : args.get(0);
    switch (command) {
      case "serve":
        return serve(err);
      case "cluster":
        return cacheVerb(CLUSTER_USAGE, args, env, out, err, (client, rest) -> {
          if (!rest.isEmpty()) {
            throw new VerbArguments.UsageException("unknown option '" + rest.get(0) + "'");
          }
          return ClusterCommand.run(client, out);
        });
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
      case "images":
        return cacheVerb(ImagesCommand.USAGE, args, env, out, err,
            (client, rest) -> ImagesCommand.run(client, rest, out, System.currentTimeMillis()));
      case "rmi":
        return cacheVerb(RmiCommand.USAGE, args, env, out, err, (client, rest) -> RmiCommand.run(client, rest, out, err));
      case "prune":
        return cacheVerb(PruneCommand.USAGE, args, env, out, err, (client, rest) -> PruneCommand.run(client, rest, out));
      case "pin":
        return cacheVerb(PinCommand.PIN_USAGE, args, env, out, err,
            (client, rest) -> PinCommand.run(client, rest, out, true));
      case "unpin":
        return cacheVerb(PinCommand.UNPIN_USAGE, args, env, out, err,
            (client, rest) -> PinCommand.run(client, rest, out, false));
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
      return verb.run(AdminClient.of(url, env), line, out);
    } catch (AdminClient.CliException e) {
      err.println("layercake: " + e.getMessage());
      return 1;
    }
  }

  /**
   * Runs a verb that takes plain arguments (the cache verbs and {@code cluster}): {@code --help}
   * prints its usage; {@code --url} names the node; the rest goes to the verb. Bad usage exits 2,
   * a node that cannot be reached or refuses exits 1, each with one line on stderr.
   */
  private static int cacheVerb(String usage, List<String> args, Map<String, String> env, PrintStream out,
      PrintStream err, CacheVerb verb) {
    List<String> options = args.subList(1, args.size());
    if (options.contains("--help") || options.contains("-h")) {
      out.print(usage);
      return 0;
    }
    String url = env.getOrDefault("LAYERCAKE_URL", "http://127.0.0.1:5000");
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < options.size(); i++) {
      String option = options.get(i);
      if (option.equals("--url") && i + 1 < options.size()) {
        url = options.get(++i);
      } else if (option.startsWith("--url=")) {
        url = option.substring("--url=".length());
      } else {
        rest.add(option);
      }
    }
    try {
      return verb.run(AdminClient.of(url, env), rest);
    } catch (VerbArguments.UsageException e) {
      err.println("layercake " + args.get(0) + ": " + e.getMessage());
      return 2;
    } catch (AdminClient.CliException | IllegalArgumentException e) {
      err.println("layercake: " + e.getMessage());
      return 1;
    }
  }

  /** An image verb. */
  interface Verb {
    /** Runs the verb; returns the exit status. */
    int run(AdminClient client, CommandLine line, PrintStream out);
  }

  /** One cache verb, given the node's client and its own arguments. */
  private interface CacheVerb {
    int run(AdminClient client, List<String> arguments);
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

  private static String version() {
    String version = Layercake.class.getPackage().getImplementationVersion();
    return version == null ? "development build" : version;
  }
}
