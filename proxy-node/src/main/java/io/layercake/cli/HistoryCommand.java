package io.layercake.cli;

import io.layercake.admin.AdminAnswers;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code layercake history IMAGE[:TAG]}: where the tag pointed over time, newest first, as a
 * docker-like table with human ages.
 */
@Command(name = "history", description = "Show where a tag pointed over time, newest first")
final class HistoryCommand extends NodeVerb {

  @Mixin
  private FormatOption format;

  @Parameters(paramLabel = "IMAGE[:TAG]")
  private String image;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    AdminAnswers.History report = client().send("GET", "/admin/history?image=" + AdminClient.encode(image),
        AdminAnswers.History.class);
    long now = System.currentTimeMillis();
    Listing history = new Listing().column("DIGEST", "Digest").column("SINCE", "Since")
        .column("LAST CONFIRMED", "LastConfirmed").column("MEDIA TYPE", "MediaType").column("NODE", "Node");
    List<AdminAnswers.HistoryEntry> entries = report.history();
    for (int i = entries.size() - 1; i >= 0; i--) {
      AdminAnswers.HistoryEntry entry = entries.get(i);
      history.row(
          entry.digest(),
          HumanAge.ago(entry.since(), now),
          HumanAge.ago(entry.lastConfirmed(), now),
          shortType(entry.mediaType()),
          entry.node());
    }
    if (history.isEmpty() && format.format() == FormatOption.Format.TABLE) {
      invocation.out().println("No history for " + report.image() + ": no node has resolved this tag.");
      return 0;
    }
    history.print(format.format(), invocation.out());
    return 0;
  }

  /** {@code application/vnd.oci.image.index.v1+json} as {@code oci index}. */
  static String shortType(String mediaType) {
    return switch (mediaType) {
      case "application/vnd.oci.image.index.v1+json" -> "oci index";
      case "application/vnd.oci.image.manifest.v1+json" -> "oci manifest";
      case "application/vnd.docker.distribution.manifest.list.v2+json" -> "docker manifest list";
      case "application/vnd.docker.distribution.manifest.v2+json" -> "docker manifest";
      default -> mediaType;
    };
  }
}
