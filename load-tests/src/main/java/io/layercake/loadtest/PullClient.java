package io.layercake.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.testkit.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls images the way the docker daemon does: the manifest by tag (with an index resolved to
 * linux/amd64), then the config and layers, three blobs at a time, each streamed through SHA-256
 * and checked against its digest ({@link BlobDownload}). Nothing is kept: memory stays flat for
 * any blob size. Bearer
 * challenges are answered anonymously from the realm they name, tokens cached per scope.
 *
 * <p>One client per runner: each has its own connection pool and selector thread, so a herd of
 * runners is not throttled by one shared client.
 */
public final class PullClient implements AutoCloseable {

  /** The Accept header of every manifest request, the same for every system (cache keys use it). */
  public static final String MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, "
      + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";
  private static final int PARALLEL_BLOBS = 3;
  private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);
  private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final HttpClient http;
  private final ExecutorService downloads;
  private final Map<String, String> tokens = new ConcurrentHashMap<>();
  /** Blob bodies are read by the download threads, each with its own buffer. */
  private final ThreadLocal<BlobDownload> download = ThreadLocal.withInitial(BlobDownload::new);

  /** A client with its own connections and download threads. */
  public PullClient() {
    ThreadFactory daemons = task -> {
      Thread thread = new Thread(task, "pull-client-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
    this.downloads = Executors.newFixedThreadPool(PARALLEL_BLOBS, daemons);
    this.http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .proxy(HttpClient.Builder.NO_PROXY)
        .build();
  }

  /** Pulls {@code repository:tag} through {@code baseUrl}; failures are results, not exceptions. */
  public PullResult pull(String baseUrl, String repository, String tag) {
    long started = System.nanoTime();
    AtomicLong bytes = new AtomicLong();
    AtomicInteger blobRequests = new AtomicInteger();
    String error = null;
    boolean wrongBytes = false;
    long manifestAt = started;
    try {
      JsonNode manifest = manifest(baseUrl, repository, tag, bytes);
      manifestAt = System.nanoTime();
      List<Future<?>> blobs = new ArrayList<>();
      List<JsonNode> descriptors = new ArrayList<>();
      descriptors.add(manifest.path("config"));
      manifest.path("layers").forEach(descriptors::add);
      for (JsonNode descriptor : descriptors) {
        String digest = descriptor.path("digest").asText();
        long size = descriptor.path("size").asLong(-1);
        blobs.add(downloads.submit(() -> {
          blobRequests.incrementAndGet();
          bytes.addAndGet(blob(baseUrl, repository, digest, size));
          return null;
        }));
      }
      for (Future<?> blob : blobs) {
        blob.get();
      }
    } catch (ExecutionException e) {
      error = describe(e.getCause());
      wrongBytes = e.getCause() instanceof WrongBytesException;
    } catch (IOException | RuntimeException e) {
      error = describe(e);
      wrongBytes = e instanceof WrongBytesException;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error = "interrupted";
    }
    return new PullResult(repository + ":" + tag, baseUrl, Duration.ofNanos(System.nanoTime() - started),
        Duration.ofNanos(manifestAt - started), bytes.get(), blobRequests.get(), error, wrongBytes);
  }

  /** An error for the report: its message, or its class where it has none (a reset connection). */
  private static String describe(Throwable error) {
    return error.getMessage() != null ? error.getMessage() : error.getClass().getName();
  }

  /**
   * The bearer token header for pulling {@code repository} from {@code baseUrl}, fetched from the
   * realm if the registry challenges; empty if it does not. For load generators that cannot answer
   * challenges themselves.
   */
  public String authorization(String baseUrl, String repository) throws IOException, InterruptedException {
    HttpResponse<InputStream> response = send(baseUrl, "/v2/" + repository + "/manifests/latest",
        repository, MANIFEST_ACCEPT);
    response.body().close();
    return tokens.getOrDefault(scopeKey(baseUrl, repository), "");
  }

  private JsonNode manifest(String baseUrl, String repository, String reference, AtomicLong bytes)
      throws IOException, InterruptedException {
    byte[] body = manifestBytes(baseUrl, repository, reference, bytes);
    JsonNode json = JSON.readTree(body);
    if (json.has("manifests")) {
      for (JsonNode entry : json.path("manifests")) {
        JsonNode platform = entry.path("platform");
        if ("linux".equals(platform.path("os").asText()) && "amd64".equals(platform.path("architecture").asText())) {
          String digest = entry.path("digest").asText();
          byte[] child = manifestBytes(baseUrl, repository, digest, bytes);
          requireDigest(digest, Sha256.digest(child), "manifest " + digest);
          return JSON.readTree(child);
        }
      }
      throw new IOException("no linux/amd64 manifest in " + repository + ":" + reference);
    }
    return json;
  }

  private byte[] manifestBytes(String baseUrl, String repository, String reference, AtomicLong bytes)
      throws IOException, InterruptedException {
    HttpResponse<InputStream> response =
        send(baseUrl, "/v2/" + repository + "/manifests/" + reference, repository, MANIFEST_ACCEPT);
    try (InputStream in = response.body()) {
      byte[] body = in.readAllBytes();
      if (response.statusCode() != 200) {
        throw new IOException("manifest " + repository + ":" + reference + " answered "
            + response.statusCode() + ": " + new String(body, StandardCharsets.UTF_8).strip());
      }
      String claimed = response.headers().firstValue("Docker-Content-Digest").orElse(null);
      if (claimed != null) {
        requireDigest(claimed, Sha256.digest(body), "manifest " + repository + ":" + reference);
      }
      bytes.addAndGet(body.length);
      return body;
    }
  }

  private long blob(String baseUrl, String repository, String digest, long size)
      throws IOException, InterruptedException {
    URI url = URI.create(baseUrl + "/v2/" + repository + "/blobs/" + digest);
    String key = scopeKey(baseUrl, repository);
    MessageDigest sha256 = newSha256();
    BlobDownload.Response response = download.get().get(url, tokens.get(key), sha256);
    if (response.status() == 401) {
      tokens.put(key, bearer(response.headers().getOrDefault("www-authenticate", ""), url.toString()));
      sha256.reset();
      response = download.get().get(url, tokens.get(key), sha256);
    }
    if (response.status() != 200) {
      throw new IOException("blob " + digest + " answered " + response.status() + ": " + response.errorBody());
    }
    long received = response.bodyBytes();
    if (size >= 0 && received != size) {
      throw new IOException("blob " + digest + " was " + received + " bytes, expected " + size);
    }
    requireDigest(digest, "sha256:" + HexFormat.of().formatHex(sha256.digest()), "blob");
    return received;
  }

  private HttpResponse<InputStream> send(String baseUrl, String path, String repository, String accept)
      throws IOException, InterruptedException {
    String key = scopeKey(baseUrl, repository);
    HttpResponse<InputStream> response = http.send(request(baseUrl + path, accept, tokens.get(key)),
        HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 401) {
      return response;
    }
    response.body().close();
    tokens.put(key, bearer(response.headers().firstValue("WWW-Authenticate").orElse(""), baseUrl + path));
    return http.send(request(baseUrl + path, accept, tokens.get(key)), HttpResponse.BodyHandlers.ofInputStream());
  }

  /** The Authorization header that answers a 401's challenge from {@code where}. */
  private String bearer(String challenge, String where) throws IOException, InterruptedException {
    if (!challenge.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new IOException(where + " answered 401 without a bearer challenge");
    }
    return "Bearer " + token(challenge);
  }

  private String token(String challenge) throws IOException, InterruptedException {
    Map<String, String> params = new HashMap<>();
    Matcher matcher = CHALLENGE_PARAM.matcher(challenge);
    while (matcher.find()) {
      params.put(matcher.group(1), matcher.group(2));
    }
    String realm = params.get("realm");
    if (realm == null) {
      throw new IOException("bearer challenge without a realm: " + challenge);
    }
    StringBuilder url = new StringBuilder(realm).append("?service=")
        .append(URLEncoder.encode(params.getOrDefault("service", ""), StandardCharsets.UTF_8));
    if (params.containsKey("scope")) {
      url.append("&scope=").append(URLEncoder.encode(params.get("scope"), StandardCharsets.UTF_8));
    }
    HttpResponse<byte[]> response = http.send(request(url.toString(), null, null), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("token realm " + realm + " answered " + response.statusCode());
    }
    JsonNode json = JSON.readTree(response.body());
    String token = json.hasNonNull("token") ? json.get("token").asText() : json.path("access_token").asText();
    if (token.isEmpty()) {
      throw new IOException("token realm " + realm + " gave no token");
    }
    return token;
  }

  private static HttpRequest request(String url, String accept, String authorization) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT).GET();
    if (accept != null) {
      builder.header("Accept", accept);
    }
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder.build();
  }

  private static String scopeKey(String baseUrl, String repository) {
    return baseUrl + "|" + repository;
  }

  private static void requireDigest(String expected, String actual, String what) throws IOException {
    if (!expected.equals(actual)) {
      throw new WrongBytesException(what + ": expected " + expected + ", got " + actual);
    }
  }

  /**
   * A body that arrived complete (every byte its size or length promised) with another digest:
   * the one failure a mirror must never produce, unlike an error or a cut transfer.
   */
  static final class WrongBytesException extends IOException {
    WrongBytesException(String message) {
      super(message);
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }

  @Override
  public void close() {
    downloads.shutdownNow();
  }
}
