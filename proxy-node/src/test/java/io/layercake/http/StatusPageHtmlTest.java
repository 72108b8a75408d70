package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.metrics.RecentEviction;
import io.layercake.metrics.StoreUsage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The status page's HTML for hand-made snapshots. */
class StatusPageHtmlTest {

  private static final String HOSTILE = "<script>alert('x')</script>&\"";

  @Test
  void render_hostileStrings_areEscapedEverywhere() {
    StatusPage.Snapshot snapshot = new StatusPage.Snapshot(Instant.EPOCH, HOSTILE,
        List.of(new StatusPage.NodeRow(HOSTILE, HOSTILE, HOSTILE, 1, 2, OptionalLong.of(3),
            OptionalLong.of(4096), true)),
        Optional.of(new StoreUsage(3, 4096)), OptionalLong.empty(),
        new StatusPage.Ratio(0, 0), new StatusPage.Ratio(0, 0),
        List.of(new StatusPage.RegistryRow(HOSTILE, HOSTILE, 1, 5)),
        List.of(new StatusPage.TopImage(HOSTILE, HOSTILE, 5)),
        List.of(new RecentEviction(Instant.EPOCH, HOSTILE, HOSTILE, 10)));

    String html = StatusPageHtml.render(snapshot);

    assertFalse(html.contains("<script"), html);
    assertFalse(html.contains("alert('x')"), html);
    assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"), html);
  }

  @Test
  void render_capAndEvictions_showBarAndRows() {
    StatusPage.Snapshot snapshot = new StatusPage.Snapshot(Instant.EPOCH, "10.0.0.1:25520", List.of(),
        Optional.of(new StoreUsage(10, 512L << 20)), OptionalLong.of(1L << 30),
        new StatusPage.Ratio(3, 1), new StatusPage.Ratio(0, 0), List.of(), List.of(),
        List.of(new RecentEviction(Instant.EPOCH, "sha256:" + "a".repeat(64), "size", 1L << 20)));

    String html = StatusPageHtml.render(snapshot);

    assertTrue(html.contains("512.0 MiB <span class=\"muted\">of 1.0 GiB</span>"), html);
    assertTrue(html.contains("width:50.0%"), html);
    assertTrue(html.contains("75.0 %"), html);
    assertTrue(html.contains("no requests yet"), html);
    assertTrue(html.contains("<td>size</td><td class=\"num\">1.0 MiB</td>"), html);
    assertFalse(html.contains("None yet."), html);
  }

  @Test
  void bytes_binaryUnits() {
    assertEquals("0 B", StatusPageHtml.bytes(0));
    assertEquals("1023 B", StatusPageHtml.bytes(1023));
    assertEquals("1.5 KiB", StatusPageHtml.bytes(1536));
    assertEquals("2.0 GiB", StatusPageHtml.bytes(2L << 30));
  }
}
