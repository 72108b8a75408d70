package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code layercake history IMAGE[:TAG]}: where the tag pointed over time, newest first, as a
 * docker-like table with human ages.
 */
final class HistoryCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  private HistoryCommand() {}

  static int run(AdminClient client, CommandLine line, PrintStream out) {
    line.expectPositional("history", "exactly one IMAGE[:TAG]", 1, 1);
    JsonNode report;
    try {
      report = JSON.readTree(client.get("/admin/history?image=" + PullCommand.encode(line.positional().get(0))));
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent a report that is not JSON: " + e.getMessage());
    }
    long now = System.currentTimeMillis();
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"DIGEST", "SINCE", "LAST CONFIRMED", "MEDIA TYPE", "NODE"});
    List<JsonNode> entries = new ArrayList<>();
    report.path("history").forEach(entries::add);
    for (int i = entries.size() - 1; i >= 0; i--) {
      JsonNode entry = entries.get(i);
      rows.add(new String[] {
          entry.path("digest").asText(),
          HumanAge.ago(entry.path("since").asLong(), now),
          HumanAge.ago(entry.path("lastConfirmed").asLong(), now),
          shortType(entry.path("mediaType").asText()),
          entry.path("node").asText()});
    }
    if (entries.isEmpty()) {
      out.println("No history for " + report.path("image").asText() + ": no node has resolved this tag.");
      return 0;
    }
    Table.print(rows, out);
    return 0;
  }

  /** {@code application/vnd.oci.image.index.v1+json} as {@code oci index}. */
  static String shortType(String mediaType) {
    switch (mediaType) {
      case "application/vnd.oci.image.index.v1+json":
        return "oci index";
      case "application/vnd.oci.image.manifest.v1+json":
        return "oci manifest";
      case "application/vnd.docker.distribution.manifest.list.v2+json":
        return "docker manifest list";
      case "application/vnd.docker.distribution.manifest.v2+json":
        return "docker manifest";
      default:
        return mediaType;
    }
  }
}
