package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
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
    JsonNode report = client().getJson("/admin/images" + (query.isEmpty() ? "" : "?" + query.substring(1)));
    long now = System.currentTimeMillis();
    Listing images = new Listing().column("REPOSITORY", "Repository").column("TAG", "Tag").column("IMAGE ID", "ID")
        .column("SIZE", "Size").column("LAST PULLED", "LastPulled").column("PULLS", "Pulls").jsonOnly("Digest");
    for (JsonNode image : report.path("images")) {
      String id = image.path("id").asText();
      String shortId = id.substring(id.indexOf(':') + 1, Math.min(id.length(), id.indexOf(':') + 13));
      if (quiet) {
        invocation.out().println(shortId);
        continue;
      }
      long lastPulled = image.path("lastPulled").asLong();
      images.row(
          image.path("repository").asText(),
          image.path("tag").asText(),
          shortId,
          HumanSize.of(image.path("size").asLong()),
          lastPulled <= 0 ? "Never" : HumanAge.ago(lastPulled, now),
          image.path("pulls").asText(),
          id);
    }
    if (!quiet) {
      images.print(format.format(), invocation.out());
    }
    return 0;
  }
}
