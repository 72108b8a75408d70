package io.layercake.cli;

import io.layercake.cluster.ClusterReport;
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
    ClusterReport report = client().send("GET", "/admin/cluster", ClusterReport.class);
    boolean table = format.format() == FormatOption.Format.TABLE;
    Listing members = new Listing().column("ADDRESS", "Address").column("STATUS", "Status").column("URL", "URL")
        .column("BLOB SHARDS", "BlobShards").column("TAG SHARDS", "TagShards").column("BLOBS", "Blobs")
        .column("SIZE", "Size").jsonOnly("Self");
    for (ClusterReport.Node member : report.members()) {
      boolean self = member.address().equals(report.self());
      members.row(
          table && self ? member.address() + " *" : member.address(),
          member.status() + (member.reachable() ? "" : " (unreachable)"),
          member.url() == null ? "-" : member.url(),
          String.valueOf(member.shards().getOrDefault("blob", 0)),
          String.valueOf(member.shards().getOrDefault("tag", 0)),
          member.blobs() == null ? "?" : member.blobs().toString(),
          member.blobBytes() == null ? "?" : HumanSize.of(member.blobBytes()),
          Boolean.toString(self));
    }
    PrintStream out = invocation.out();
    members.print(format.format(), out);
    if (table) {
      out.println();
      out.println("data plane: " + report.dataPlane() + "   shard coordinator on: "
          + (report.coordinator() == null ? "none" : report.coordinator()) + "   (* = the node answering)");
    }
    return 0;
  }
}
