package io.layercake.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The blob GETs that the Docker Hub stand-in answered, read from docker-registry's access log
 * (Apache combined format, one line per request once its response ended, to the second). This is
 * the upstream traffic the cluster caused: each GET of a blob is one fill's download.
 */
final class HubLog {

  /** One blob GET: when it ended, epoch milliseconds (to the second), and the digest. */
  record BlobGet(long at, String digest, int status, long bytes) {}

  private static final Pattern LINE = Pattern.compile(
      "^\\S+ \\S+ \\S+ \\[([^\\]]+)\\] \"GET /v2/\\S+/blobs/(sha256:[0-9a-f]{64}) HTTP/[^\"]*\" (\\d{3}) (\\d+|-)");
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

  private HubLog() {}

  /**
   * Every blob GET in {@code log} that the hub answered with the blob (200), oldest first: a 401
   * is the token challenge before the real request, not a download.
   */
  static List<BlobGet> blobGets(Path log) throws IOException {
    List<BlobGet> gets = new ArrayList<>();
    if (!Files.exists(log)) {
      return gets;
    }
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      parse(line).filter(get -> get.status() == 200).ifPresent(gets::add);
    }
    return gets;
  }

  static java.util.Optional<BlobGet> parse(String line) {
    Matcher matcher = LINE.matcher(line);
    if (!matcher.find()) {
      return java.util.Optional.empty();
    }
    long at = ZonedDateTime.parse(matcher.group(1), TIME).toInstant().toEpochMilli();
    long bytes = matcher.group(4).equals("-") ? 0 : Long.parseLong(matcher.group(4));
    return java.util.Optional.of(new BlobGet(at, matcher.group(2), Integer.parseInt(matcher.group(3)), bytes));
  }
}
