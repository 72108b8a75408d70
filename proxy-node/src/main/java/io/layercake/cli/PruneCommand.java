package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code layercake prune [-a] [--filter until=DURATION] [--filter reference=PATTERN] [--dry-run]}:
 * frees space across the cluster and prints what went and {@code Total reclaimed space}.
 */
final class PruneCommand {

  static final String USAGE = String.join("\n",
      "Usage: layercake prune [OPTIONS]",
      "",
      "Remove unused data from the cache of the whole cluster.",
      "Without -a: dangling blobs only, those no cached image refers to (layers of tags that",
      "have moved on, leftovers of removed images, manifests pulled only by digest), unused for",
      "a minute at least.",
      "With -a: also every cached image that is neither pinned nor being pulled.",
      "",
      "Options:",
      "  -a, --all                      remove all unpinned images, not just dangling blobs",
      "      --filter until=DURATION    only what was last pulled more than DURATION ago (24h, 7d, 1h30m)",
      "      --filter reference=PATTERN only images matching PATTERN (repeatable); dangling blobs are",
      "                                 then kept, having no reference",
      "      --dry-run                  print what would be removed, remove nothing",
      "  -f, --force                    accepted for docker compatibility (prune never prompts)",
      "      --url URL                  node to ask (default $LAYERCAKE_URL or http://127.0.0.1:5000)",
      "");

  private static final ObjectMapper JSON = new ObjectMapper();

  private PruneCommand() {}

  static int run(AdminClient client, List<String> args, PrintStream out) {
    VerbArguments arguments = new VerbArguments("prune", args,
        Map.of("-a", "--all", "--all", "--all", "--dry-run", "--dry-run", "-f", "--force", "--force", "--force"),
        Map.of("--filter", "--filter"));
    if (!arguments.positional().isEmpty()) {
      throw new VerbArguments.UsageException("'prune' takes no arguments, got '" + arguments.positional().get(0) + "'");
    }
    boolean dryRun = arguments.has("--dry-run");
    String query = "all=" + arguments.has("--all") + "&dry-run=" + dryRun
        + arguments.filtersAsQuery("prune", Set.of("until", "reference"));
    JsonNode removal;
    try {
      removal = JSON.readTree(client.send("POST", "/admin/prune?" + query));
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent an answer that is not JSON: " + e.getMessage());
    }
    boolean any = removal.path("untagged").size() + removal.path("deleted").size() > 0;
    if (any) {
      out.println(dryRun ? "Would delete:" : "Deleted Images:");
      RemovalOutput.print(removal, out, "untagged: ", "deleted: ");
      out.println();
    }
    out.println((dryRun ? "Total reclaimable space: " : "Total reclaimed space: ")
        + HumanSize.of(removal.path("reclaimed").asLong()));
    return 0;
  }
}
