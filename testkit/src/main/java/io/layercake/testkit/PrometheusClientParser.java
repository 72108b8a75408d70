package io.layercake.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The Prometheus project's own parsers of its text format and of OpenMetrics, from its official
 * Python client (Debian's {@code python3-prometheus-client}): the Java client library writes these
 * formats but has no reader, and a scrape that only our own parser accepts proves little.
 */
public final class PrometheusClientParser {

  /** Prints "name type samples" per family; any parse error exits non-zero with its message. */
  private static final String SCRIPT = """
      import sys
      from prometheus_client.parser import text_string_to_metric_families as prometheus
      from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
      parse = openmetrics if sys.argv[1] == 'openmetrics' else prometheus
      for family in parse(sys.stdin.read()):
          print(family.name, family.type, len(family.samples))
      """;

  /**
   * Debian's Python, which the Debian package installs into: a {@code python3} earlier on the
   * PATH (pyenv, a virtualenv) would not see it.
   */
  private static final String PYTHON =
      java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";

  private PrometheusClientParser() {}

  /** Skips the calling test where the parser is not installed (fails it if clients are required). */
  public static void require() {
    boolean installed;
    try {
      Process probe = new ProcessBuilder(PYTHON, "-c", "import prometheus_client").start();
      installed = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
    } catch (IOException e) {
      installed = false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      installed = false;
    }
    RequiredClient.check("python3-prometheus-client", installed);
  }

  /**
   * The families the official parser reads from {@code exposition}, name to type as it names
   * them (OpenMetrics names: a counter without {@code _total}, an info without {@code _info});
   * throws with the parser's message if it rejects the text.
   */
  public static Map<String, String> families(String exposition, boolean openMetrics) {
    try {
      Process python = new ProcessBuilder(PYTHON, "-c", SCRIPT, openMetrics ? "openmetrics" : "prometheus")
          .redirectErrorStream(false).start();
      try (OutputStream in = python.getOutputStream()) {
        in.write(exposition.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      String err = new String(python.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!python.waitFor(60, TimeUnit.SECONDS) || python.exitValue() != 0) {
        throw new AssertionError("the Prometheus client's parser rejected the exposition: " + err);
      }
      Map<String, String> families = new TreeMap<>();
      for (String line : out.split("\n")) {
        if (!line.isBlank()) {
          String[] fields = line.split(" ");
          families.put(fields[0], fields[1]);
        }
      }
      return families;
    } catch (IOException e) {
      throw new AssertionError("could not run the Prometheus client's parser", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
