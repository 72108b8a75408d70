package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One request as docker-registry's access log records it. The registry writes a line in Apache
 * combined log format per request once the response is complete, for example {@code 127.0.0.1 - -
 * [26/Nov/2026:17:19:25 +0000] "GET /v2/ HTTP/1.1" 200 2 "" "curl/7.88.1"}. Requests the server
 * rejects before routing (malformed HTTP, a TLS handshake on the plain port) are not logged.
 *
 * @param method the HTTP method, e.g. {@code GET}
 * @param uri the request target as sent: path and query string
 * @param status the response status
 * @param bytes the response body bytes written
 */
public record RegistryRequest(String method, String uri, int status, long bytes) {

  private static final Pattern COMBINED_LOG_LINE =
      Pattern.compile(
          "^\\S+ \\S+ \\S+ \\[[^\\]]*\\] \"(\\S+) (\\S+) HTTP/[^\"]*\" (\\d{3}) (\\d+|-)");

  /** Parses an access log line; other log lines (the registry's own messages) give empty. */
  public static Optional<RegistryRequest> parse(String line) {
    Matcher m = COMBINED_LOG_LINE.matcher(line);
    if (!m.find()) {
      return Optional.empty();
    }
    long bytes = m.group(4).equals("-") ? 0 : Long.parseLong(m.group(4));
    return Optional.of(
        new RegistryRequest(m.group(1), m.group(2), Integer.parseInt(m.group(3)), bytes));
  }

  /** Every request line of the log file {@code logFile}, oldest first; none if it is missing. */
  public static List<RegistryRequest> readLog(Path logFile) {
    if (!Files.exists(logFile)) {
      return List.of();
    }
    try (Stream<String> lines = Files.lines(logFile, StandardCharsets.UTF_8)) {
      return lines.map(RegistryRequest::parse).flatMap(Optional::stream).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + logFile, e);
    }
  }

  /** The path without the query string. */
  public String path() {
    int query = uri.indexOf('?');
    return query < 0 ? uri : uri.substring(0, query);
  }
}
