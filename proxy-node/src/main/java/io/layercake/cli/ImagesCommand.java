package io.layercake.cli;

import io.layercake.admin.AdminAnswers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code layercake images}: the images cached anywhere in the cluster, as docker lists them. */
@Command(name = "images", description = "List the images cached in the cluster")
final class ImagesCommand extends NodeVerb {

  @Mixin
  private FormatOption format;

  @Option(names = {"-f", "--filter"}, paramLabel = "reference=PATTERN",
      description = "only images whose repository (or repository:tag) matches the pattern (* and ? wildcards);"
          + " repeatable")
  private List<String> filters = new ArrayList<>();

  @Option(names = {"-q", "--quiet"}, description = "only show image IDs")
  private boolean quiet;

  @Override
  public Integer call() {
    String query = Filters.asQuery(filters, Set.of("reference"));
    Invocation invocation = invocation();
    AdminAnswers.Images report = client().send("GET",
        "/admin/images" + (query.isEmpty() ? "" : "?" + query.substring(1)), AdminAnswers.Images.class);
    long now = System.currentTimeMillis();
    Listing images = new Listing().column("REPOSITORY", "Repository").column("TAG", "Tag").column("IMAGE ID", "ID")
        .column("SIZE", "Size").column("LAST PULLED", "LastPulled").column("PULLS", "Pulls").jsonOnly("Digest");
    for (AdminAnswers.Image image : report.images()) {
      String id = image.id();
      String shortId = id.substring(id.indexOf(':') + 1, Math.min(id.length(), id.indexOf(':') + 13));
      if (quiet) {
        invocation.out().println(shortId);
        continue;
      }
      images.row(
          image.repository(),
          image.tag(),
          shortId,
          HumanSize.of(image.size()),
          image.lastPulled() <= 0 ? "Never" : HumanAge.ago(image.lastPulled(), now),
          Long.toString(image.pulls()),
          id);
    }
    if (!quiet) {
      images.print(format.format(), invocation.out());
    }
    return 0;
  }
}
