package io.layercake.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Answers the requests of one {@link FakeRegistry}: its registry port (the {@code /v2/} API and
 * {@code /token}) and, in redirect mode, its CDN port. The checks run in Docker Hub's order:
 * authentication, then injected response faults, then content.
 */
final class FakeRegistryHandler implements HttpHandler {

  private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
  private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");
  private static final Pattern TAGS = Pattern.compile("^/v2/(.+)/tags/list$");
  private static final Pattern REFERRERS = Pattern.compile("^/v2/(.+)/referrers/([^/]+)$");
  private static final Pattern CDN_BLOB = Pattern.compile("^/cdn(/v2/(.+)/blobs/([^/]+))$");
  private static final Pattern RANGE = Pattern.compile("^bytes=(\\d*)-(\\d*)$");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeRegistry registry;
  private final FakeRegistryAuth auth;
  private final boolean cdn;

  FakeRegistryHandler(FakeRegistry registry, boolean cdn) {
    this.registry = registry;
    this.auth = new FakeRegistryAuth(registry);
    this.cdn = cdn;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().getPath();
      registry.record(record(exchange, path));
      exchange.getResponseHeaders().set("Docker-Distribution-API-Version", "registry/2.0");
      if (cdn) {
        handleCdn(exchange, path);
      } else if (path.equals("/token")) {
        handleToken(exchange, path);
      } else if (path.equals("/v2") || path.startsWith("/v2/")) {
        handleRegistry(exchange, path);
      } else {
        sendError(exchange, 404, "NAME_UNKNOWN", "not a registry path", path);
      }
    } finally {
      exchange.close();
    }
  }

  private void handleRegistry(HttpExchange exchange, String path) throws IOException {
    String repo = repositoryOf(path);
    if (!auth.authorized(exchange, repo)) {
      auth.challenge(exchange, repo);
      return;
    }
    if (applyResponseFaults(exchange, path)) {
      return;
    }
    String method = exchange.getRequestMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      sendError(exchange, 405, "UNSUPPORTED", "the fake registry is read-only", method);
      return;
    }
    Matcher match;
    if (path.equals("/v2") || path.equals("/v2/")) {
      sendJson(exchange, 200, "{}");
    } else if ((match = MANIFEST.matcher(path)).matches()) {
      serveManifest(exchange, path, match.group(1), match.group(2));
    } else if ((match = BLOB.matcher(path)).matches()) {
      serveBlobEndpoint(exchange, path, match.group(1), match.group(2));
    } else if ((match = TAGS.matcher(path)).matches()) {
      serveTags(exchange, match.group(1));
    } else if ((match = REFERRERS.matcher(path)).matches() && registry.options().referrersPage() > 0) {
      serveReferrers(exchange, match.group(1), match.group(2));
    } else {
      sendError(exchange, 404, "NAME_UNKNOWN", "unknown endpoint", path);
    }
  }

  private void handleCdn(HttpExchange exchange, String path) throws IOException {
    // Docker Hub's CDN URLs are pre-signed: a client that forwards the registry's token is
    // rejected, which is what a client test must prove it avoids.
    if (exchange.getRequestHeaders().containsKey("Authorization")) {
      sendError(exchange, 400, "UNSUPPORTED", "the CDN rejects Authorization headers", path);
      return;
    }
    if (applyResponseFaults(exchange, path)) {
      return;
    }
    Matcher match = CDN_BLOB.matcher(path);
    Optional<FakeRegistryContent.BlobBytes> blob =
        match.matches() ? registry.content().blob(match.group(2), match.group(3)) : Optional.empty();
    if (blob.isEmpty()) {
      sendError(exchange, 404, "BLOB_UNKNOWN", "blob unknown to the CDN", path);
      return;
    }
    serveBlobBytes(exchange, path, match.group(3), blob.get());
  }

  private void handleToken(HttpExchange exchange, String path) throws IOException {
    if (!applyResponseFaults(exchange, path)) {
      auth.issueToken(exchange, queryParameters(exchange).getOrDefault("scope", List.of()));
    }
  }

  /** Applies latency, status and 429 faults; true when a fault already answered. */
  private boolean applyResponseFaults(HttpExchange exchange, String path) throws IOException {
    boolean answered = false;
    for (Fault fault : registry.faults().take(path, false)) {
      if (fault.kind() == Fault.Kind.LATENCY) {
        FakeBodyWriter.pause(fault.duration());
      } else if (!answered && fault.kind() == Fault.Kind.STATUS) {
        exchange.sendResponseHeaders(fault.status(), -1);
        answered = true;
      } else if (!answered && fault.kind() == Fault.Kind.TOO_MANY_REQUESTS) {
        Headers headers = exchange.getResponseHeaders();
        refusePull(exchange, fault.duration());
        answered = true;
      }
    }
    return answered;
  }

  private void serveManifest(HttpExchange exchange, String path, String repo, String reference)
      throws IOException {
    if (!registry.content().exists(repo)) {
      sendError(exchange, 404, "NAME_UNKNOWN", "repository name not known to registry", repo);
      return;
    }
    Optional<FakeRegistryContent.StoredManifest> found = registry.content().manifest(repo, reference);
    if (found.isEmpty()) {
      sendError(exchange, 404, "MANIFEST_UNKNOWN", "manifest unknown", reference);
      return;
    }
    FakeRegistryContent.StoredManifest manifest = found.get();
    if (!acceptable(exchange, manifest.mediaType())) {
      sendError(exchange, 404, "MANIFEST_UNKNOWN", "manifest unknown",
          "accept header does not include " + manifest.mediaType());
      return;
    }
    Headers headers = exchange.getResponseHeaders();
    FakePullLimit limit = registry.pullLimit();
    // Docker Hub's order: a HEAD is free and a GET counts, and both report what is left.
    boolean head = exchange.getRequestMethod().equals("HEAD");
    if (!head && !limit.take()) {
      refusePull(exchange, limit.untilNextPull());
      return;
    }
    reportLimit(headers, limit.remaining());
    headers.set("Content-Type", manifest.mediaType());
    headers.set("Docker-Content-Digest", manifest.digest());
    if (head) {
      headers.set("Content-Length", Integer.toString(manifest.bytes().length));
      exchange.sendResponseHeaders(200, -1);
      return;
    }
    registry.bodyWriter().send(exchange, 200, new ByteArrayInputStream(manifest.bytes()),
        manifest.bytes().length, registry.faults().take(path, true));
  }

  /** Docker Hub's 429 for a pull past the limit, with its headers and body. */
  private void refusePull(HttpExchange exchange, Duration retryAfter) throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Retry-After", Long.toString(Math.max(1, retryAfter.toSeconds())));
    reportLimit(headers, 0);
    sendError(exchange, 429, "TOOMANYREQUESTS", "You have reached your pull rate limit. You may increase the limit "
        + "by authenticating and upgrading: https://www.docker.com/increase-rate-limit", null);
  }

  private void reportLimit(Headers headers, int remaining) {
    FakePullLimit limit = registry.pullLimit();
    if (limit.limit() <= 0) {
      return; // a registry that does not limit pulls says nothing about it
    }
    headers.set("ratelimit-limit", limit.limit() + limit.windowSuffix());
    headers.set("ratelimit-remaining", remaining + limit.windowSuffix());
    headers.set("docker-ratelimit-source", "127.0.0.1");
  }

  /**
   * Docker Hub's negotiation, simplified: no Accept (or a wildcard) takes what is stored; an index,
   * a manifest list or an OCI manifest the client did not list is MANIFEST_UNKNOWN; a Docker
   * schema 2 manifest is served to anyone, as every client reads it.
   */
  private static boolean acceptable(HttpExchange exchange, String mediaType) {
    List<String> accepted = new ArrayList<>();
    for (String header : exchange.getRequestHeaders().getOrDefault("Accept", List.of())) {
      for (String part : header.split(",")) {
        accepted.add(part.split(";")[0].trim());
      }
    }
    return accepted.isEmpty()
        || accepted.contains("*/*")
        || accepted.contains(mediaType)
        || mediaType.equals("application/vnd.docker.distribution.manifest.v2+json");
  }

  private void serveBlobEndpoint(HttpExchange exchange, String path, String repo, String digest)
      throws IOException {
    if (!registry.content().exists(repo)) {
      sendError(exchange, 404, "NAME_UNKNOWN", "repository name not known to registry", repo);
      return;
    }
    Optional<FakeRegistryContent.BlobBytes> blob = registry.content().blob(repo, digest);
    if (blob.isEmpty()) {
      sendError(exchange, 404, "BLOB_UNKNOWN", "blob unknown to registry", digest);
      return;
    }
    if (exchange.getRequestMethod().equals("GET") && registry.options().redirectBlobs()) {
      exchange.getResponseHeaders().set("Location", registry.cdnUrl() + "/cdn" + path);
      exchange.sendResponseHeaders(307, -1);
      return;
    }
    serveBlobBytes(exchange, path, digest, blob.get());
  }

  private void serveBlobBytes(
      HttpExchange exchange, String path, String digest, FakeRegistryContent.BlobBytes blob)
      throws IOException {
    long size = blob.size();
    long start = 0;
    long end = size - 1;
    int status = 200;
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/octet-stream");
    headers.set("Docker-Content-Digest", digest);
    headers.set("Accept-Ranges", "bytes");
    Matcher range = RANGE.matcher(Optional.ofNullable(
        exchange.getRequestHeaders().getFirst("Range")).orElse(""));
    if (range.matches() && !(range.group(1).isEmpty() && range.group(2).isEmpty())) {
      if (range.group(1).isEmpty()) {
        start = Math.max(0, size - Long.parseLong(range.group(2)));
      } else {
        start = Long.parseLong(range.group(1));
        end = range.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(range.group(2)));
      }
      if (start >= size || start > end) {
        headers.set("Content-Range", "bytes */" + size);
        sendError(exchange, 416, "RANGE_INVALID", "invalid content range", null);
        return;
      }
      headers.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
      status = 206;
    }
    long length = end - start + 1;
    if (exchange.getRequestMethod().equals("HEAD")) {
      headers.set("Content-Length", Long.toString(length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    try (InputStream in = blob.open(start)) {
      registry.bodyWriter().send(exchange, status, in, length, registry.faults().take(path, true));
    }
  }

  private void serveTags(HttpExchange exchange, String repo) throws IOException {
    if (!registry.content().exists(repo)) {
      sendError(exchange, 404, "NAME_UNKNOWN", "repository name not known to registry", repo);
      return;
    }
    Map<String, List<String>> query = queryParameters(exchange);
    String last = query.containsKey("last") ? query.get("last").get(0) : null;
    int n = Integer.MAX_VALUE;
    if (query.containsKey("n")) {
      try {
        n = Integer.parseInt(query.get("n").get(0));
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 0) {
        sendError(exchange, 400, "PAGINATION_NUMBER_INVALID", "invalid number of results requested",
            query.get("n").get(0));
        return;
      }
    }
    List<String> after = new ArrayList<>();
    for (String tag : registry.content().tags(repo)) {
      if (last == null || tag.compareTo(last) > 0) {
        after.add(tag);
      }
    }
    List<String> page = after.subList(0, Math.min(n, after.size()));
    if (page.size() < after.size() && !page.isEmpty()) {
      exchange.getResponseHeaders().set("Link", "</v2/" + repo + "/tags/list?n=" + n + "&last="
          + page.get(page.size() - 1) + ">; rel=\"next\"");
    }
    StringBuilder json = new StringBuilder("{\"name\":\"").append(repo).append("\",\"tags\":[");
    for (int i = 0; i < page.size(); i++) {
      json.append(i == 0 ? "\"" : ",\"").append(page.get(i)).append('"');
    }
    sendJson(exchange, 200, json.append("]}").toString());
  }

  /**
   * The referrers API: an image index of the manifests whose subject is {@code digest} (an empty
   * one when there are none, as the spec requires), a page at a time behind {@code Link}.
   */
  private void serveReferrers(HttpExchange exchange, String repo, String digest) throws IOException {
    Map<String, List<String>> query = queryParameters(exchange);
    List<ObjectNode> referrers = registry.content().referrers(repo, digest);
    String suffix = "";
    if (query.containsKey("artifactType")) {
      String wanted = query.get("artifactType").get(0);
      referrers = referrers.stream().filter(d -> wanted.equals(d.path("artifactType").asText())).toList();
      exchange.getResponseHeaders().set("OCI-Filters-Applied", "artifactType");
      suffix = "&artifactType=" + URLEncoder.encode(wanted, StandardCharsets.UTF_8);
    }
    int size = registry.options().referrersPage();
    int page = query.containsKey("page") ? Integer.parseInt(query.get("page").get(0)) : 0;
    int from = Math.min(referrers.size(), page * size);
    int to = Math.min(referrers.size(), from + size);
    if (to < referrers.size()) {
      exchange.getResponseHeaders().set("Link",
          "</v2/" + repo + "/referrers/" + digest + "?page=" + (page + 1) + suffix + ">; rel=\"next\"");
    }
    ObjectNode index = JSON.createObjectNode()
        .put("schemaVersion", 2)
        .put("mediaType", MediaTypes.OCI_INDEX);
    index.putArray("manifests").addAll(referrers.subList(from, to));
    byte[] body = JSON.writeValueAsBytes(index);
    exchange.getResponseHeaders().set("Content-Type", MediaTypes.OCI_INDEX);
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
  }

  private static String repositoryOf(String path) {
    for (Pattern pattern : List.of(MANIFEST, BLOB, TAGS, REFERRERS)) {
      Matcher match = pattern.matcher(path);
      if (match.matches()) {
        return match.group(1);
      }
    }
    return null;
  }

  private static RecordedRequest record(HttpExchange exchange, String path) {
    Map<String, List<String>> headers = new TreeMap<>();
    exchange.getRequestHeaders().forEach(
        (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
    return new RecordedRequest(
        exchange.getRequestMethod(), path, exchange.getRequestURI().getRawQuery(), headers);
  }

  private static Map<String, List<String>> queryParameters(HttpExchange exchange) {
    Map<String, List<String>> parameters = new TreeMap<>();
    String raw = exchange.getRequestURI().getRawQuery();
    if (raw == null) {
      return parameters;
    }
    for (String pair : raw.split("&")) {
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      parameters
          .computeIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), key -> new ArrayList<>())
          .add(URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return parameters;
  }

  static void sendError(
      HttpExchange exchange, int status, String code, String message, String detail)
      throws IOException {
    String json = "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\""
        + (detail == null ? "" : ",\"detail\":\"" + escape(detail) + "\"")
        + "}]}";
    sendJson(exchange, status, json);
  }

  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  static void sendJson(HttpExchange exchange, int status, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }
}
