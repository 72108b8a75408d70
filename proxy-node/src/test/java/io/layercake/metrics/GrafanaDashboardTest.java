package io.layercake.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.UpstreamName;
import io.layercake.testkit.PrometheusText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard in {@code cluster-config/grafana}: valid dashboard JSON whose every query
 * names only metrics a node exports, so no panel stays empty because of a renamed metric.
 */
class GrafanaDashboardTest {

  /** The dashboard, relative to the proxy-node module, where tests run. */
  private static final Path DASHBOARD = Path.of("..", "cluster-config", "grafana", "layercake-dashboard.json");
  private static final Pattern METRIC_NAME = Pattern.compile("\\blayercake_[a-zA-Z0-9_:]*");
  private static final List<String> REQUIRED_PANELS = List.of(
      "Request rate by endpoint and status", "Cache hit ratio", "Bytes served vs from upstream",
      "Fills in flight and coalesced requests", "Store size vs cap per node", "Evictions by reason",
      "Upstream latency p50 / p95 / p99", "Upstream errors", "Rate-limit remaining",
      "Upstream pull budget: manifest GETs and HEADs by kind, and budget state");

  private static JsonNode dashboard;
  private static Set<String> exported;

  @BeforeAll
  static void load() throws IOException {
    dashboard = new ObjectMapper().readTree(Files.readAllBytes(DASHBOARD));
    // Every family a node registers, with the sample names a histogram adds.
    // Gauges and labelled series appear once there is something to report: give them all some.
    NodeMetrics metrics = new NodeMetrics();
    metrics.storeCap(() -> 1);
    metrics.storeUsage(() -> new StoreUsage(1, 1));
    metrics.fillsInFlight(() -> 0);
    metrics.streamsInFlight(() -> 0);
    metrics.upstreamRateLimit("docker-hub", () -> 100, () -> 99, () -> 0);
    metrics.upstreamPulled(UpstreamName.of("docker-hub"), UpstreamCall.values()[0]);
    metrics.upstreamHeaded(UpstreamName.of("docker-hub"), UpstreamCall.values()[0]);
    metrics.upstreamCallTook(UpstreamName.of("docker-hub"), UpstreamCall.values()[0], 1);
    metrics.upstreamCallFailed(UpstreamName.of("docker-hub"), UpstreamCall.values()[0], "UNAVAILABLE");
    metrics.upstreamBlobBytes(UpstreamName.of("docker-hub"), 1);
    metrics.evictionReasons(List.of("size"));
    metrics.requestAnswered(Endpoint.BLOB, 200, 1);
    metrics.clusterMembers(() -> java.util.Map.of("up", 1));
    exported = new HashSet<>();
    PrometheusText.parse(metrics.scrape()).families().values().forEach(family -> {
      exported.add(family.name());
      if (family.type().equals("histogram")) {
        exported.add(family.name() + "_bucket");
        exported.add(family.name() + "_sum");
        exported.add(family.name() + "_count");
      }
    });
  }

  @Test
  void dashboard_hasSchemaDatasourceVariableAndUniquePanels() {
    assertTrue(dashboard.path("schemaVersion").asInt() >= 36, "schemaVersion");
    assertFalse(dashboard.path("uid").asText().isEmpty(), "uid");
    JsonNode datasource = null;
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("datasource")) {
        datasource = variable;
      }
    }
    assertTrue(datasource != null && datasource.path("query").asText().equals("prometheus"),
        "a Prometheus datasource variable");
    Set<Integer> ids = new HashSet<>();
    Set<String> titles = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      assertTrue(ids.add(panel.path("id").asInt()), "panel ids are unique");
      titles.add(panel.path("title").asText());
      assertEquals("${datasource}", panel.path("datasource").path("uid").asText(), panel.path("title").asText());
      assertTrue(panel.path("gridPos").path("w").asInt() > 0, "gridPos of " + panel.path("title").asText());
      assertTrue(panel.path("targets").size() > 0, "targets of " + panel.path("title").asText());
    }
    assertTrue(titles.containsAll(REQUIRED_PANELS), "panels: " + titles);
  }

  @Test
  void dashboard_everyQuery_namesOnlyExportedMetrics() {
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        Matcher names = METRIC_NAME.matcher(expr);
        boolean any = false;
        while (names.find()) {
          any = true;
          used.add(names.group());
          assertTrue(exported.contains(names.group()), panel.path("title").asText() + ": "
              + names.group() + " is not exported (exported: " + new TreeSet<>(exported) + ")");
        }
        assertTrue(any, panel.path("title").asText() + ": query names no layercake metric: " + expr);
        assertEquals(count(expr, '('), count(expr, ')'), "balanced parentheses: " + expr);
        assertEquals(count(expr, '{'), count(expr, '}'), "balanced braces: " + expr);
      }
    }
    JsonNode instance = dashboard.path("templating").path("list").get(1);
    Matcher variableMetric = METRIC_NAME.matcher(instance.path("definition").asText());
    assertTrue(variableMetric.find() && exported.contains(variableMetric.group()), "the node variable's metric");
  }

  private static long count(String text, char c) {
    return text.chars().filter(ch -> ch == c).count();
  }
}
