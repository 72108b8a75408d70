package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.tls.TlsContexts;
import io.layercake.tls.TlsFileException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * How the CLI's verbs reach a node's admin API: {@code --url} (default {@code LAYERCAKE_URL}, else
 * http://127.0.0.1:5000) with the token from {@code LAYERCAKE_ADMIN_TOKEN}. Every failure becomes
 * a one-line {@link CliException}.
 */
final class AdminClient {

  /**
   * How long the node may take to start answering: a prune or rmi plans across every node first.
   * An upload has none: the node answers a load only once the whole archive is in and verified.
   */
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

  /** The environment variable naming a PEM CA to trust for an HTTPS node (a private CA). */
  static final String CA_CERT_VARIABLE = "LAYERCAKE_CA_CERT";

  private final HttpClient http;
  private final String baseUrl;
  private final String token;

  /**
   * A client for the node at {@code baseUrl}; an HTTPS node's certificate is checked against the
   * JDK's CAs, or only against those in {@code caFile} when it is not empty.
   */
  AdminClient(String baseUrl, String token, String caFile) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
    // HTTP/1.1, which is what a node speaks: by default the JDK's client asks a plain-HTTP server
    // to upgrade every first request to HTTP/2, which a node ignores.
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5));
    if (!caFile.isBlank()) {
      try {
        builder.sslContext(TlsContexts.trusting(Path.of(caFile)));
      } catch (TlsFileException e) {
        throw new CliException(CA_CERT_VARIABLE + ": " + e.getMessage());
      }
    }
    this.http = builder.build();
  }

  /** The client {@code env} describes: the token and CA variables. */
  static AdminClient of(String baseUrl, java.util.Map<String, String> env) {
    return new AdminClient(baseUrl, env.getOrDefault("LAYERCAKE_ADMIN_TOKEN", ""),
        env.getOrDefault(CA_CERT_VARIABLE, ""));
  }

  /**
   * {@code method} (GET, POST, DELETE) of an admin path, without a body, whose answer is one of
   * the node's answer records (or, as {@code JsonNode}, any JSON document).
   */
  <T> T send(String method, String path, Class<T> answer) {
    return json(readAll(send(request(path).timeout(ANSWER_TIMEOUT)
        .method(method, HttpRequest.BodyPublishers.noBody()))), answer);
  }

  /**
   * POST of an admin path whose answer streams: the body as an input stream, to be read as it
   * arrives and closed by the caller.
   */
  InputStream postStreaming(String path) {
    return send(request(path).timeout(ANSWER_TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** GET of an admin path whose answer streams (a tarball): the body, closed by the caller. */
  InputStream getStreaming(String path) {
    return send(request(path).timeout(ANSWER_TIMEOUT).GET());
  }

  /**
   * POST of a stream as the body, read as it is sent (an archive is never held in memory); the
   * JSON answer on 200.
   *
   * @param length the body's length, sent as Content-Length so the node can check members against
   *     it, or -1 when unknown (a pipe), sent chunked
   */
  <T> T upload(String path, Supplier<InputStream> body, long length, Class<T> answer) {
    HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.ofInputStream(body);
    if (length >= 0) {
      publisher = HttpRequest.BodyPublishers.fromPublisher(publisher, length);
    }
    return json(readAll(send(request(path).header("Content-Type", "application/x-tar").POST(publisher))), answer);
  }

  /** {@code value} as a query parameter's value. */
  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static <T> T json(String body, Class<T> answer) {
    try {
      return Json.answerReader(answer).readValue(body);
    } catch (IOException e) {
      throw new CliException("the node sent an answer that is not JSON: " + e.getMessage());
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path));
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }

  /** Sends the request; a status other than 200 becomes a one-line failure naming the node's error. */
  private InputStream send(HttpRequest.Builder request) {
    HttpResponse<InputStream> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw new CliException("cannot reach the node at " + baseUrl + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    if (response.statusCode() == 401) {
      readAll(response.body());
      throw new CliException("the node refused the request (401): set LAYERCAKE_ADMIN_TOKEN to the node's"
          + " layercake.admin.token");
    }
    if (response.statusCode() != 200) {
      throw new CliException("the node answered " + response.statusCode() + ": "
          + NodeError.describe(readAll(response.body())));
    }
    return response.body();
  }

  private String readAll(InputStream body) {
    try (InputStream in = body) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CliException("the connection to " + baseUrl + " broke: " + e.getMessage());
    }
  }

  /** A CLI failure, printed as one line. */
  static final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
      super(message);
    }
  }
}
