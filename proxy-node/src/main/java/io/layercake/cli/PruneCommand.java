package io.layercake.cli;

import io.layercake.eviction.Removal;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code layercake prune [-a] [--filter until=DURATION] [--filter reference=PATTERN] [--dry-run]}:
 * frees space across the cluster and prints what went and {@code Total reclaimed space}. With
 * {@code -a} it empties the cache of every unpinned image, so it asks first, as docker does; a
 * script says {@code -f}, and without it a run that cannot ask refuses rather than guesses.
 */
@Command(name = "prune", header = "Remove dangling blobs, or with -a all unpinned images, from the cache",
    description = {
        "Removes unused data from the cache of the whole cluster. Without -a: dangling blobs only, those no"
            + " cached image refers to (layers of tags that have moved on, leftovers of removed images, manifests"
            + " pulled only by digest), unused for a minute at least.",
        "With -a: also every cached image that is neither pinned nor being pulled; asks first unless -f."})
final class PruneCommand extends NodeVerb {

  @Option(names = {"-a", "--all"}, description = "remove all unpinned images, not just dangling blobs")
  private boolean all;

  @Option(names = "--filter", paramLabel = "FILTER", description = {
      "until=DURATION: only what was last used (pulled, or a blob of it served) more than DURATION ago"
          + " (24h, 7d, 1h30m);",
      "reference=PATTERN: only images matching PATTERN (dangling blobs are then kept); repeatable"})
  private List<String> filters = new ArrayList<>();

  @Option(names = "--dry-run", description = "print what would be removed, remove nothing")
  private boolean dryRun;

  @Option(names = {"-f", "--force"}, description = "do not ask for confirmation")
  private boolean force;

  @Override
  public Integer call() {
    String query = "all=" + all + "&dry-run=" + dryRun + Filters.asQuery(filters, Set.of("until", "reference"));
    Invocation invocation = invocation();
    PrintStream out = invocation.out();
    if (all && !dryRun && !force && !confirmed(invocation)) {
      out.println("Total reclaimed space: 0B");
      return 0;
    }
    Removal removal = client().send("POST", "/admin/prune?" + query, Removal.class);
    boolean any = !removal.untagged().isEmpty() || !removal.deleted().isEmpty();
    if (any) {
      out.println(dryRun ? "Would delete:" : "Deleted Images:");
      RemovalOutput.print(removal, out, "untagged: ", "deleted: ");
      out.println();
    }
    out.println((dryRun ? "Total reclaimable space: " : "Total reclaimed space: ")
        + HumanSize.of(removal.reclaimed()));
    return 0;
  }

  /** Asks the person at the terminal; refuses when nobody is there to answer. */
  private static boolean confirmed(Invocation invocation) {
    if (!invocation.interactive()) {
      throw new UsageException("'prune -a' removes every unpinned image and asks first, but this is not a"
          + " terminal: add -f (--force) to prune without asking");
    }
    invocation.out().print("WARNING! This will remove every image that is not pinned or being pulled from the"
        + " cache of the whole cluster.\nAre you sure you want to continue? [y/N] ");
    invocation.out().flush();
    try {
      String answer = new BufferedReader(new InputStreamReader(invocation.in(), StandardCharsets.UTF_8)).readLine();
      return answer != null && Set.of("y", "yes").contains(answer.strip().toLowerCase(Locale.ROOT));
    } catch (IOException e) {
      return false;
    }
  }
}
