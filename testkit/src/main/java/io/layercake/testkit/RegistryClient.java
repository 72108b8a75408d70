package io.layercake.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/** A plain HTTP client for tests that speak to a registry the way a pull client does. */
public final class RegistryClient {

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .build();
  private final String baseUrl;

  /** A client of the registry at {@code baseUrl}. */
  public RegistryClient(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /** GET of a path, body in memory. */
  public HttpResponse<byte[]> get(String path, String... headers) {
    return send("GET", path, headers);
  }

  /** HEAD of a path. */
  public HttpResponse<byte[]> head(String path, String... headers) {
    return send("HEAD", path, headers);
  }

  /** Any method on a path, body in memory. */
  public HttpResponse<byte[]> send(String method, String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(120))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * GET of a path whose body is not read: the status once the first bytes of the body have
   * arrived, then the connection is closed. What a client that gives up does; for a cold blob it
   * starts a fill that goes on without the client.
   */
  public int getAndHangUp(String path) throws IOException {
    java.net.HttpURLConnection connection =
        (java.net.HttpURLConnection) URI.create(baseUrl + path).toURL().openConnection();
    try (InputStream in = connection.getInputStream()) {
      in.read(new byte[1024]);
      return connection.getResponseCode();
    } finally {
      connection.disconnect();
    }
  }

  /** GET of a blob, streamed and hashed, never held in memory. */
  public StreamedBody stream(String path, String... headers) throws IOException, InterruptedException {
    return stream(path, () -> 0L, headers);
  }

  /**
   * The same, reading {@code probe} at the moment the first body byte arrives, e.g. how many bytes
   * the upstream had sent by then.
   */
  public StreamedBody stream(String path, java.util.function.LongSupplier probe, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(300)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    return StreamedBody.consume(response, probe);
  }

  /**
   * A streamed response: its status, how many bytes arrived, their sha256, the probe's value when
   * the first byte arrived, and the failure if the body broke off.
   */
  public record StreamedBody(int status, long bytes, String digest, long probeAtFirstByte,
      IOException failure) {

    static StreamedBody consume(HttpResponse<InputStream> response, java.util.function.LongSupplier probe) {
      MessageDigest sha256 = sha256();
      long bytes = 0;
      long first = 0;
      byte[] buffer = new byte[64 * 1024];
      try (InputStream in = response.body()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          if (bytes == 0) {
            first = probe.getAsLong();
          }
          sha256.update(buffer, 0, n);
          bytes += n;
        }
      } catch (IOException e) {
        return new StreamedBody(response.statusCode(), bytes, null, first, e);
      }
      return new StreamedBody(response.statusCode(), bytes,
          "sha256:" + HexFormat.of().formatHex(sha256.digest()), first, null);
    }
  }

  /** The sha256 digest of bytes, as {@code sha256:<hex>}. */
  public static String digestOf(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
