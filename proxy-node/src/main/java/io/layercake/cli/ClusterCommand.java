package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code layercake cluster}: the members, their status, shards and blob bytes. */
@Command(name = "cluster", description = "Show the cluster's members, their shards and blob bytes")
final class ClusterCommand extends NodeVerb {

  @Mixin
  private FormatOption format;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    JsonNode report = client().getJson("/admin/cluster");
    boolean table = format.format() == FormatOption.Format.TABLE;
    Listing members = new Listing().column("ADDRESS", "Address").column("STATUS", "Status").column("URL", "URL")
        .column("BLOB SHARDS", "BlobShards").column("TAG SHARDS", "TagShards").column("BLOBS", "Blobs")
        .column("SIZE", "Size").jsonOnly("Self");
    for (JsonNode member : report.path("members")) {
      String address = member.path("address").asText();
      boolean self = address.equals(report.path("self").asText());
      members.row(
          table && self ? address + " *" : address,
          member.path("status").asText() + (member.path("reachable").asBoolean(true) ? "" : " (unreachable)"),
          member.path("url").asText("-"),
          member.path("shards").path("blob").asText(),
          member.path("shards").path("tag").asText(),
          member.path("blobs").isNull() ? "?" : member.path("blobs").asText(),
          member.path("blobBytes").isNull() ? "?" : HumanSize.of(member.path("blobBytes").asLong()),
          Boolean.toString(self));
    }
    PrintStream out = invocation.out();
    members.print(format.format(), out);
    if (table) {
      out.println();
      out.println("data plane: " + report.path("dataPlane").asText() + "   shard coordinator on: "
          + report.path("coordinator").asText("none") + "   (* = the node answering)");
    }
    return 0;
  }
}
