package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code layercake images [--filter reference=PATTERN]... [--format json|table]}: the images cached
 * anywhere in the cluster, as docker lists them.
 */
final class ImagesCommand {

  static final String USAGE = String.join("\n",
      "Usage: layercake images [OPTIONS]",
      "",
      "List the images cached anywhere in the cluster.",
      "",
      "Options:",
      "  -f, --filter reference=PATTERN  only images whose repository (or repository:tag) matches",
      "                                  the pattern (* and ? wildcards); repeatable",
      "      --format json|table         output format (default table)",
      "      --url URL                   node to ask (default $LAYERCAKE_URL or http://127.0.0.1:5000)",
      "");

  private static final ObjectMapper JSON = new ObjectMapper();

  private ImagesCommand() {}

  static int run(AdminClient client, List<String> args, PrintStream out, long now) {
    VerbArguments arguments = new VerbArguments("images", args, Map.of(),
        Map.of("--filter", "--filter", "-f", "--filter", "--format", "--format"));
    if (!arguments.positional().isEmpty()) {
      throw new VerbArguments.UsageException("'images' takes no arguments; use --filter reference=" 
          + arguments.positional().get(0));
    }
    List<String> formats = arguments.values("--format");
    String format = formats.isEmpty() ? "table" : formats.get(formats.size() - 1);
    if (!format.equals("table") && !format.equals("json")) {
      throw new VerbArguments.UsageException("unknown format '" + format + "': use json or table");
    }
    String query = arguments.filtersAsQuery("images", Set.of("reference"));
    String body = client.get("/admin/images" + (query.isEmpty() ? "" : "?" + query.substring(1)));
    JsonNode report;
    try {
      report = JSON.readTree(body);
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent a listing that is not JSON: " + e.getMessage());
    }
    if (format.equals("json")) {
      out.println(report.path("images").toString());
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"REPOSITORY", "TAG", "IMAGE ID", "SIZE", "LAST PULLED", "PULLS"});
    for (JsonNode image : report.path("images")) {
      String id = image.path("id").asText();
      long lastPulled = image.path("lastPulled").asLong();
      rows.add(new String[] {
          image.path("repository").asText(),
          image.path("tag").asText(),
          id.substring(id.indexOf(':') + 1, Math.min(id.length(), id.indexOf(':') + 13)),
          HumanSize.of(image.path("size").asLong()),
          lastPulled <= 0 ? "Never" : HumanAge.ago(lastPulled, now),
          image.path("pulls").asText()});
    }
    Table.print(rows, out);
    return 0;
  }
}
