package io.layercake.cli;

import io.layercake.admin.AdminAnswers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code layercake upstreams}: each registry the node mirrors, whom it pulls as, and the pull limit
 * the registry last reported ({@code ratelimit-*} on its manifest answers).
 */
@Command(name = "upstreams", description = "Show the upstream registries, their accounts and pull limits")
final class UpstreamsCommand extends NodeVerb {

  @Mixin
  private FormatOption format;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    AdminAnswers.Upstreams answer = client().send("GET", "/admin/upstreams", AdminAnswers.Upstreams.class);
    long now = System.currentTimeMillis();
    Listing upstreams = new Listing().column("NAME", "Name").column("REGISTRY", "Registry").column("USER", "User")
        .column("LIMIT", "Limit").column("REMAINING", "Remaining").column("SOURCE", "Source")
        .column("CHECKED", "Checked").jsonOnly("URL");
    for (AdminAnswers.Upstream upstream : answer.upstreams()) {
      upstreams.row(upstream.name(), upstream.registry(),
          upstream.user() == null ? "anonymous" : upstream.user(),
          limit(upstream),
          upstream.remaining() == null ? "-" : upstream.remaining().toString(),
          upstream.source() == null ? "-" : upstream.source(),
          upstream.checkedAt() == null ? "never" : HumanAge.ago(upstream.checkedAt(), now),
          upstream.url());
    }
    upstreams.print(format.format(), invocation.out());
    return 0;
  }

  /** {@code 100 per 6h}, {@code none} when upstream set no limit, {@code -} before it said. */
  private static String limit(AdminAnswers.Upstream upstream) {
    if (upstream.unlimited()) {
      return "none";
    }
    if (upstream.limit() == null) {
      return "-";
    }
    return upstream.limit() + (upstream.windowSeconds() == null ? "" : " per " + window(upstream.windowSeconds()));
  }

  /** A window as registries state it: exact, in its largest whole unit ({@code 6h}, {@code 90s}). */
  private static String window(long seconds) {
    if (seconds > 0 && seconds % 3600 == 0) {
      return seconds / 3600 + "h";
    }
    if (seconds > 0 && seconds % 60 == 0) {
      return seconds / 60 + "m";
    }
    return seconds + "s";
  }
}
