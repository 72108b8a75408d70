package io.layercake.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code layercake} command: {@code serve} starts a node, and the operator's verbs talk to a
 * node's admin API. One picocli model parses every verb, so {@code --help}, {@code --url} and the
 * exit statuses mean the same everywhere: 0 done, 1 the node or the work failed, 125 the command
 * line was wrong (docker's status for its own usage errors).
 */
@Command(name = "layercake",
    description = "A clustered pull-through cache for Docker Hub.",
    versionProvider = Layercake.Version.class,
    synopsisSubcommandLabel = "COMMAND",
    subcommands = {
        ServeCommand.class, ClusterCommand.class, ImagesCommand.class, RmiCommand.class, PruneCommand.class,
        PinCommand.class, PinCommand.Unpin.class, PullCommand.class, SaveCommand.class, LoadCommand.class,
        InspectCommand.class, HistoryCommand.class, UpstreamsCommand.class, Layercake.VersionCommand.class,
        Layercake.HelpCommand.class},
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  LAYERCAKE_HTTP_PORT          registry API port (default 5000)",
        "  LAYERCAKE_HTTP_INTERFACE     registry API address (default 0.0.0.0)",
        "  LAYERCAKE_DATA_DIR           data folder (default ./data)",
        "  LAYERCAKE_UPSTREAM_URL       upstream registry (default https://registry-1.docker.io)",
        "  LAYERCAKE_UPSTREAM_USERNAME  optional upstream credentials",
        "  LAYERCAKE_UPSTREAM_PASSWORD",
        "  LAYERCAKE_STORAGE_MAX_SIZE   cap on the node's blob bytes (default 50GiB)",
        "  LAYERCAKE_CONFIG             HOCON file laid over the defaults (like serve --config)",
        "  LAYERCAKE_LOG_FORMAT         text (default) or json: one JSON object per log line",
        "  LAYERCAKE_URL                node the admin verbs talk to (default http://127.0.0.1:5000)",
        "  LAYERCAKE_ADMIN_TOKEN        admin API token (the node's layercake.admin.token)",
        "  LAYERCAKE_CA_CERT            PEM CA to trust for a node's HTTPS certificate from a private CA",
        "",
        "IMAGE is a docker-style reference: redis, redis:7, bitnami/redis:7.2, redis@sha256:...",
        "Run 'layercake COMMAND --help' for a verb's options."})
public final class Layercake implements Callable<Integer> {

  /** The status of a command line the verb cannot run, as docker's CLI uses it. */
  static final int USAGE_ERROR = 125;

  /** The JDK's bound on the temporary direct buffers it caches per thread (see capCachedIoBuffers). */
  private static final String MAX_CACHED_BUFFER = "jdk.nio.maxCachedBufferSize";

  // Inherited by every verb: one definition of --help.
  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "print this help")
  private boolean help;

  @Option(names = "--version", versionHelp = true, description = "print the version")
  private boolean versionRequested;

  @Spec
  private CommandSpec spec;

  private final Invocation invocation;

  private Layercake(Invocation invocation) {
    this.invocation = invocation;
  }

  public static void main(String[] args) {
    capCachedIoBuffers();
    System.exit(run(List.of(args), Invocation.ofProcess()));
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

  /** Runs the command line {@code args} of one invocation; returns the exit status. */
  static int run(List<String> args, Invocation invocation) {
    CommandLine command = new CommandLine(new Layercake(invocation));
    command.setOut(new PrintWriter(invocation.out(), true, StandardCharsets.UTF_8));
    command.setErr(new PrintWriter(invocation.err(), true, StandardCharsets.UTF_8));
    command.setCaseInsensitiveEnumValuesAllowed(true);
    command.setUsageHelpWidth(100);
    for (CommandLine verb : command.getSubcommands().values()) {
      // A verb's header is its line in the list of commands; its own help starts with "Usage:",
      // as docker's does, and says the rest in its description.
      List<String> sections = new ArrayList<>(verb.getHelpSectionKeys());
      sections.removeAll(List.of(CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER_HEADING,
          CommandLine.Model.UsageMessageSpec.SECTION_KEY_HEADER));
      verb.setHelpSectionKeys(sections);
    }
    command.setParameterExceptionHandler((error, arguments) -> usageError(error.getCommandLine(), error, invocation));
    command.setExecutionExceptionHandler((error, verb, parsed) -> {
      if (error instanceof UsageException) {
        return usageError(verb, error, invocation);
      }
      if (error instanceof AdminClient.CliException) {
        invocation.err().println("layercake: " + error.getMessage());
        return 1;
      }
      // Not foreseen, so named by its class; still one line, never a stack trace on a user's screen.
      invocation.err().println("layercake: " + verb.getCommandSpec().name() + " failed: " + error);
      return 1;
    });
    return command.execute(args.toArray(String[]::new));
  }

  /** One line naming the verb and what is wrong, pointing at its help. */
  private static int usageError(CommandLine verb, Exception error, Invocation invocation) {
    String name = verb.getCommandSpec().qualifiedName();
    if (error instanceof UnmatchedArgumentException unmatched && verb.getCommandSpec().parent() == null
        && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
      invocation.err().println("layercake: '" + unmatched.getUnmatched().get(0)
          + "' is not a layercake command. See 'layercake --help'.");
      return USAGE_ERROR;
    }
    String message = String.valueOf(error.getMessage()).lines().findFirst().orElse("").strip();
    invocation.err().println(name + ": " + message + (message.endsWith(".") ? "" : ".")
        + " See '" + name + " --help'.");
    return USAGE_ERROR;
  }

  /** The bare command prints its usage, as docker does. */
  @Override
  public Integer call() {
    spec.commandLine().usage(invocation.out());
    return 0;
  }

  Invocation invocation() {
    return invocation;
  }

  /** The version from the jar's manifest. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Layercake.class.getPackage().getImplementationVersion();
      return new String[] {"layercake " + (version == null ? "development build" : version)};
    }
  }

  /**
   * {@code layercake help [COMMAND]}: the usage of the command, or of {@code layercake}. Not
   * picocli's own help verb, whose {@code -h} would clash with the one every verb inherits.
   */
  @Command(name = "help", description = "Print this help, or a command's: layercake help COMMAND")
  static final class HelpCommand implements Callable<Integer> {
    @ParentCommand
    private Layercake root;

    @Parameters(arity = "0..1", paramLabel = "COMMAND")
    private String verb;

    @Override
    public Integer call() {
      CommandLine layercake = root.spec.commandLine();
      CommandLine command = verb == null ? layercake : layercake.getSubcommands().get(verb);
      if (command == null) {
        throw new UsageException("'" + verb + "' is not a layercake command");
      }
      command.usage(root.invocation().out());
      return 0;
    }
  }

  /** {@code layercake version}. */
  @Command(name = "version", description = "Print the version")
  static final class VersionCommand implements Callable<Integer> {
    @ParentCommand
    private Layercake root;

    @Override
    public Integer call() {
      root.invocation().out().println(new Version().getVersion()[0]);
      return 0;
    }
  }
}
