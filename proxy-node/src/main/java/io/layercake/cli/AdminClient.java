package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * How the CLI's verbs reach a node's admin API: {@code --url} (default {@code LAYERCAKE_URL}, else
 * http://127.0.0.1:5000) with the token from {@code LAYERCAKE_ADMIN_TOKEN}. Every failure becomes
 * a one-line {@link CliException}.
 */
final class AdminClient {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String baseUrl;
  private final String token;

  AdminClient(String baseUrl, String token) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
  }

  /** GET of an admin path; the body on 200. */
  String get(String path) {
    return send("GET", path);
  }

  /** {@code method} (GET, POST, DELETE) of an admin path; the body on 200. */
  String send(String method, String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(120)).method(method, HttpRequest.BodyPublishers.noBody());
    if (!token.isEmpty()) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new CliException("cannot reach the node at " + baseUrl + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    if (response.statusCode() == 401) {
      throw new CliException("the node refused the request (401): set LAYERCAKE_ADMIN_TOKEN to the node's"
          + " layercake.admin.token");
    }
    if (response.statusCode() != 200) {
      throw new CliException("the node answered " + response.statusCode() + ": " + errorMessage(response.body()));
    }
    return response.body();
  }

  /** The message and detail of an OCI error body, or the body itself, on one line. */
  private static String errorMessage(String body) {
    try {
      JsonNode error = JSON.readTree(body).path("errors").path(0);
      if (error.isObject()) {
        String detail = error.path("detail").isTextual() ? error.path("detail").asText() : "";
        return error.path("message").asText() + (detail.isEmpty() ? "" : " (" + detail + ")");
      }
    } catch (IOException e) {
      // Not JSON: print it as it came.
    }
    return body.replace('\n', ' ').strip();
  }

  /** A CLI failure, printed as one line. */
  static final class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliException(String message) {
      super(message);
    }
  }
}
