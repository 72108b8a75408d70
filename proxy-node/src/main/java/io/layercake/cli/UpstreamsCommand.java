package io.layercake.cli;

import io.layercake.admin.AdminAnswers;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
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

  /**
   * When the window resets: every pull upstream's last report counted has left it by then (the
   * window slides, so pulls come back one by one before).
   */
  private static String resets(AdminAnswers.Upstream upstream, long now) {
    if (upstream.resetsAt() == null || upstream.limit() == null) {
      return "-";
    }
    return upstream.resetsAt() <= now ? "now" : "in " + HumanAge.of(Duration.ofMillis(upstream.resetsAt() - now)).toLowerCase(Locale.ROOT);
  }

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    AdminAnswers.Upstreams answer = client().send("GET", "/admin/upstreams", AdminAnswers.Upstreams.class);
    long now = System.currentTimeMillis();
    Listing upstreams = new Listing().column("NAME", "Name").column("REGISTRY", "Registry").column("USER", "User")
        .column("LIMIT", "Limit").column("REMAINING", "Remaining").column("SOURCE", "Source")
        .column("CHECKED", "Checked").column("RESETS", "Resets").column("BUDGET", "Budget").column("SPENT", "Spent")
        .jsonOnly("URL");
    for (AdminAnswers.Upstream upstream : answer.upstreams()) {
      upstreams.row(upstream.name(), upstream.registry(),
          upstream.user() == null ? "anonymous" : upstream.user(),
          limit(upstream),
          upstream.remaining() == null ? "-" : upstream.remaining().toString(),
          upstream.source() == null ? "-" : upstream.source(),
          upstream.checkedAt() == null ? "never" : HumanAge.ago(upstream.checkedAt(), now),
          resets(upstream, now),
          upstream.backingOffUntil() == null ? upstream.budget()
              : upstream.budget() + " for " + HumanAge.of(Duration.ofMillis(upstream.backingOffUntil() - now)),
          spent(upstream.spent()),
          upstream.url());
    }
    PrintStream out = invocation.out();
    upstreams.print(format.format(), out);
    if (format.format() == FormatOption.Format.TABLE) {
      out.println();
      out.println("SPENT: manifest GETs over the limit's window, all " + answer.nodes() + " node(s) together");
    }
    return 0;
  }

  /** {@code 12 user, 3 prewarm}: the kinds with pulls, or {@code 0}. */
  private static String spent(Map<String, Long> byKind) {
    String text = byKind.entrySet().stream().filter(e -> e.getValue() > 0)
        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    return text.isEmpty() ? "0" : text;
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
