package io.layercake.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@code wrk}, the HTTP load generator, against one URL and reads its summary. wrk is used
 * for raw throughput because it costs far less CPU per request than a JVM client: on two cores the
 * load generator competes with the server, and it must not be what is measured.
 */
final class Wrk {

  private static final Pattern REQUESTS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TRANSFER = Pattern.compile("Transfer/sec:\\s+([0-9.]+)([KMGT]?B)");
  private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
  private static final Pattern SOCKET_ERRORS =
      Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");

  private Wrk() {}

  /** Whether wrk is installed. */
  static boolean isInstalled() {
    return Executables.find("wrk").isPresent();
  }

  /**
   * Loads {@code url} with {@code connections} connections for {@code duration}, sending {@code
   * headers} ({@code "Name: value"}) on every request.
   */
  static Result run(String url, int connections, Duration duration, List<String> headers)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Executables.find("wrk").orElseThrow().toString(),
        "-t", Integer.toString(Math.min(2, connections)), "-c", Integer.toString(connections),
        "-d", duration.toSeconds() + "s", "--timeout", "30s"));
    for (String header : headers) {
      command.add("-H");
      command.add(header);
    }
    command.add(url);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(duration.toSeconds() + 60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("wrk did not finish: " + command);
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IOException("wrk failed (" + process.exitValue() + "): " + text.strip());
    }
    return parse(text);
  }

  static Result parse(String text) throws IOException {
    Matcher requests = REQUESTS.matcher(text);
    Matcher transfer = TRANSFER.matcher(text);
    Matcher total = TOTAL.matcher(text);
    if (!requests.find() || !transfer.find() || !total.find()) {
      throw new IOException("unexpected wrk output: " + text.strip());
    }
    Matcher non2xx = NON_2XX.matcher(text);
    Matcher socket = SOCKET_ERRORS.matcher(text);
    long errors = non2xx.find() ? Long.parseLong(non2xx.group(1)) : 0;
    if (socket.find()) {
      for (int i = 1; i <= 4; i++) {
        errors += Long.parseLong(socket.group(i));
      }
    }
    return new Result(Double.parseDouble(requests.group(1)),
        Double.parseDouble(transfer.group(1)) * unit(transfer.group(2)),
        Long.parseLong(total.group(1)), errors);
  }

  private static double unit(String suffix) {
    return switch (suffix.toUpperCase(Locale.ROOT)) {
      case "KB" -> 1024;
      case "MB" -> 1024 * 1024;
      case "GB" -> 1024.0 * 1024 * 1024;
      case "TB" -> 1024.0 * 1024 * 1024 * 1024;
      default -> 1;
    };
  }

  /**
   * What one wrk run measured.
   *
   * @param requestsPerSecond completed requests per second
   * @param bytesPerSecond response bytes per second, headers included
   * @param requests completed requests
   * @param errors non-2xx answers plus socket errors and timeouts
   */
  record Result(double requestsPerSecond, double bytesPerSecond, long requests, long errors) {

    /** Megabytes (10^6) per second. */
    double megabytesPerSecond() {
      return bytesPerSecond / 1e6;
    }
  }
}
