package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** {@code layercake cluster}: the members, their status, shards and blob bytes, as a table. */
final class ClusterCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  private ClusterCommand() {}

  static int run(AdminClient client, PrintStream out) {
    JsonNode report;
    try {
      report = JSON.readTree(client.get("/admin/cluster"));
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent a report that is not JSON: " + e.getMessage());
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"ADDRESS", "STATUS", "URL", "BLOB SHARDS", "TAG SHARDS", "BLOBS", "SIZE"});
    for (JsonNode member : report.path("members")) {
      String address = member.path("address").asText();
      rows.add(new String[] {
          address + (address.equals(report.path("self").asText()) ? " *" : ""),
          member.path("status").asText() + (member.path("reachable").asBoolean(true) ? "" : " (unreachable)"),
          member.path("url").asText("-"),
          member.path("shards").path("blob").asText(),
          member.path("shards").path("tag").asText(),
          member.path("blobs").isNull() ? "?" : member.path("blobs").asText(),
          member.path("blobBytes").isNull() ? "?" : HumanSize.of(member.path("blobBytes").asLong())});
    }
    Table.print(rows, out);
    out.println();
    out.println("data plane: " + report.path("dataPlane").asText() + "   shard coordinator on: "
        + report.path("coordinator").asText("none") + "   (* = the node answering)");
    return 0;
  }
}
