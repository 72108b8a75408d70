package io.layercake.loadtest;

import io.layercake.testkit.Await;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks servers whether they answer: a freshly started one on {@code /v2/}, a node on {@code /readyz}. */
final class HttpProbe {

  private static final HttpClient HTTP = HttpClient.newBuilder()
      .proxy(HttpClient.Builder.NO_PROXY).connectTimeout(Duration.ofSeconds(2)).build();

  private HttpProbe() {}

  /** Polls {@code url} until it answers with any HTTP status; fails if the server exits first. */
  static void awaitAnswer(String url, Duration timeout, Process process) {
    Await.until(timeout, url + " answering", () -> {
      if (!process.isAlive()) {
        throw new IllegalStateException(url + ": the server exited with status " + process.exitValue());
      }
      try {
        HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.discarding());
        return true;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + url, e);
      }
    });
  }

  /** The status of {@code GET url}, or 0 when nothing answers within 2 s. */
  static int status(String url) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }
}
