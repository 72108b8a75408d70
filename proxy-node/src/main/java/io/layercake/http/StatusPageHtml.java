package io.layercake.http;

import io.layercake.metrics.RecentEviction;
import io.layercake.metrics.StoreUsage;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Renders a {@link StatusPage.Snapshot} as one self-contained HTML document: inline CSS, no
 * script, no outside resource. Every string that did not come from this class is escaped,
 * whatever its source (repository names and tags come from clients).
 */
final class StatusPageHtml {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private static final String STYLE = """
      body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#1d2330;\
      background:#f6f7f9;padding:0 1em}
      h1{font-size:1.6em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em}
      .muted{color:#667085}.cards{display:flex;gap:1em;flex-wrap:wrap}
      .card{background:#fff;border:1px solid #dde1e7;border-radius:8px;padding:.8em 1.2em;min-width:200px}
      .big{font-size:1.7em;font-weight:600}
      table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #dde1e7}
      th,td{text-align:left;padding:.45em .8em;border-bottom:1px solid #eceef2}
      th{background:#eef1f5;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
      .bar{height:10px;background:#e4e7ec;border-radius:5px;overflow:hidden;margin-top:.4em}
      .fill{height:100%;background:#3a7bd5}.self{font-weight:600}
      """;

  private StatusPageHtml() {}

  /** The page for {@code snapshot}. */
  static String render(StatusPage.Snapshot snapshot) {
    StringBuilder html = new StringBuilder(8192);
    html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
        .append("<title>layercake status</title><style>").append(STYLE).append("</style></head><body>\n");
    html.append("<h1>layercake</h1><p class=\"muted\">Node ").append(escape(snapshot.self()))
        .append(" &middot; ").append(escape(TIME.format(snapshot.at())))
        .append(" &middot; counts are this node's since it started</p>\n");
    cards(html, snapshot);
    nodes(html, snapshot);
    registries(html, snapshot);
    topImages(html, snapshot);
    evictions(html, snapshot);
    html.append("<p class=\"muted\">Prometheus metrics: <a href=\"/metrics\">/metrics</a></p>\n");
    html.append("</body></html>\n");
    return html.toString();
  }

  private static void cards(StringBuilder html, StatusPage.Snapshot snapshot) {
    html.append("<div class=\"cards\">");
    html.append("<div class=\"card\" id=\"storage\"><div class=\"muted\">Storage on this node</div>");
    if (snapshot.usage().isPresent()) {
      StoreUsage usage = snapshot.usage().get();
      html.append("<div class=\"big\">").append(bytes(usage.bytes()));
      if (snapshot.cap().isPresent()) {
        long cap = snapshot.cap().getAsLong();
        double used = cap == 0 ? 1 : Math.min(1, (double) usage.bytes() / cap);
        html.append(" <span class=\"muted\">of ").append(bytes(cap)).append("</span></div>")
            .append("<div class=\"bar\"><div class=\"fill\" style=\"width:")
            .append(String.format(Locale.ROOT, "%.1f", used * 100)).append("%\"></div></div>");
      } else {
        html.append("</div><div class=\"muted\">no size cap configured</div>");
      }
      html.append("<div class=\"muted\">").append(usage.blobs()).append(" blobs</div>");
    } else {
      html.append("<div class=\"big\">unknown</div>");
    }
    html.append("</div>");
    ratioCard(html, "blob-hits", "Blob hit ratio", snapshot.blobs());
    ratioCard(html, "manifest-hits", "Tag hit ratio", snapshot.manifests());
    html.append("</div>\n");
  }

  private static void ratioCard(StringBuilder html, String id, String title, StatusPage.Ratio ratio) {
    OptionalDouble value = ratio.ratio();
    html.append("<div class=\"card\" id=\"").append(id).append("\"><div class=\"muted\">").append(title)
        .append("</div><div class=\"big\">")
        .append(value.isPresent() ? String.format(Locale.ROOT, "%.1f %%", value.getAsDouble() * 100) : "no requests yet")
        .append("</div><div class=\"muted\">").append(ratio.hits()).append(" hits, ").append(ratio.misses())
        .append(" misses</div></div>");
  }

  private static void nodes(StringBuilder html, StatusPage.Snapshot snapshot) {
    html.append("<h2>Nodes</h2><table id=\"nodes\"><tr><th>Node</th><th>Status</th><th>Registry URL</th>")
        .append("<th class=\"num\">Blob shards</th><th class=\"num\">Tag shards</th>")
        .append("<th class=\"num\">Blobs</th><th class=\"num\">Stored</th></tr>\n");
    for (StatusPage.NodeRow node : snapshot.nodes()) {
      html.append("<tr").append(node.self() ? " class=\"self\"" : "").append("><td>")
          .append(escape(node.address())).append(node.self() ? " (this node)" : "").append("</td><td>")
          .append(escape(node.status())).append("</td><td>").append(escape(node.url())).append("</td>")
          .append("<td class=\"num\">").append(node.blobShards()).append("</td>")
          .append("<td class=\"num\">").append(node.tagShards()).append("</td>")
          .append("<td class=\"num\">").append(orUnknown(node.blobs(), false)).append("</td>")
          .append("<td class=\"num\">").append(orUnknown(node.blobBytes(), true)).append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void topImages(StringBuilder html, StatusPage.Snapshot snapshot) {
    html.append("<h2>Most pulled tags</h2><p class=\"muted\">Pulls answered by this node: manifest requests")
        .append(" by tag (each docker, podman or containerd pull asks for its tag once). <code>layercake images</code>")
        .append(" sums them over the cluster.</p>");
    if (snapshot.topImages().isEmpty()) {
      html.append("<p id=\"top-images\">No pulls yet.</p>\n");
      return;
    }
    html.append("<table id=\"top-images\"><tr><th>Image</th><th>Registry</th><th class=\"num\">Pulls</th></tr>\n");
    for (StatusPage.TopImage image : snapshot.topImages()) {
      html.append("<tr><td>").append(escape(image.image())).append("</td><td>").append(escape(image.registry()))
          .append("</td><td class=\"num\">").append(image.pulls()).append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void registries(StringBuilder html, StatusPage.Snapshot snapshot) {
    html.append("<h2>Registries</h2><p class=\"muted\">The registries this cluster mirrors, with the pulls this")
        .append(" node answered of each.</p>")
        .append("<table id=\"registries\"><tr><th>Registry</th><th>Upstream</th><th class=\"num\">Tags pulled</th>")
        .append("<th class=\"num\">Pulls</th></tr>\n");
    for (StatusPage.RegistryRow row : snapshot.registries()) {
      html.append("<tr><td>").append(escape(row.registry())).append("</td><td>").append(escape(row.upstream()))
          .append("</td><td class=\"num\">").append(row.tags()).append("</td><td class=\"num\">")
          .append(row.pulls()).append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static void evictions(StringBuilder html, StatusPage.Snapshot snapshot) {
    html.append("<h2>Recent evictions</h2>");
    if (snapshot.evictions().isEmpty()) {
      html.append("<p id=\"evictions\">None yet.</p>\n");
      return;
    }
    html.append("<table id=\"evictions\"><tr><th>When</th><th>Blob</th><th>Reason</th><th class=\"num\">Freed</th></tr>\n");
    for (RecentEviction eviction : snapshot.evictions()) {
      html.append("<tr><td>").append(escape(TIME.format(eviction.at()))).append("</td><td>")
          .append(escape(eviction.digest())).append("</td><td>").append(escape(eviction.reason()))
          .append("</td><td class=\"num\">").append(bytes(eviction.bytes())).append("</td></tr>\n");
    }
    html.append("</table>\n");
  }

  private static String orUnknown(OptionalLong value, boolean asBytes) {
    if (value.isEmpty()) {
      return "unknown";
    }
    return asBytes ? bytes(value.getAsLong()) : Long.toString(value.getAsLong());
  }

  /** A size in binary units, one decimal: {@code 1.5 GiB}. */
  static String bytes(long bytes) {
    double value = bytes;
    int unit = 0;
    while (value >= 1024 && unit < UNITS.length - 1) {
      value /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
  }

  /** {@code text} safe in HTML element content and in double- or single-quoted attributes. */
  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
