package io.layercake.testkit;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/*
 * Implementation notes
 *
 * What it imitates: a docker daemon with several registry-mirrors. Each request goes to the
 * current mirror; a failed request (no connection, an error status, a body that breaks off or does
 * not match its digest) is retried, on the next mirror, after a backoff, up to a fixed number of
 * attempts. A refused connection is retried at once (nothing is listening, so there is nothing to
 * wait for); a Retry-After header is honoured up to the maximum backoff.
 *
 * It is asynchronous on purpose: a retry is scheduled on a delayed executor, so no thread sleeps,
 * and ten clients cost no ten blocked threads. Every attempt has a deadline covering the whole
 * body, so a stalled stream fails the attempt instead of hanging the test.
 */

/** A pull client with several mirrors that retries failed requests on the next one, like docker. */
public final class MirrorClient {

  /** The Accept header of a manifest request: every manifest type, as docker sends. */
  public static final String MANIFEST_ACCEPT = "application/vnd.docker.distribution.manifest.v2+json, "
      + "application/vnd.docker.distribution.manifest.list.v2+json, "
      + "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json";

  /**
   * How hard a client tries.
   *
   * @param maxAttempts attempts per request, the first included
   * @param attemptTimeout the deadline of one attempt, response body included
   * @param backoff the pause after the first failure; it grows by this much per failure
   * @param maxBackoff the longest pause, also the cap on a Retry-After
   */
  public record Policy(int maxAttempts, Duration attemptTimeout, Duration backoff, Duration maxBackoff) {

    /** Validates the bounds. */
    public Policy {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
      }
      if (attemptTimeout.isNegative() || attemptTimeout.isZero() || backoff.isNegative()
          || maxBackoff.compareTo(backoff) < 0) {
        throw new IllegalArgumentException("need attemptTimeout > 0 and 0 <= backoff <= maxBackoff");
      }
    }
  }

  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();
  private final List<String> mirrors;
  private final Policy policy;
  private final AtomicInteger current = new AtomicInteger();
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicInteger wrongBodies = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  /** A client that prefers {@code mirrors} in the given order. */
  public MirrorClient(List<String> mirrors, Policy policy) {
    if (mirrors.isEmpty()) {
      throw new IllegalArgumentException("a client needs at least one mirror");
    }
    this.mirrors = List.copyOf(mirrors);
    this.policy = policy;
  }

  /**
   * Pulls {@code repository:tag}: the manifest, then every blob of {@code image} one after the
   * other in an order shuffled by {@code orderSeed} (so that clients spread their first requests
   * over the blobs), each checked against {@code image}. Fails if a request ran out of attempts.
   */
  public CompletableFuture<Void> pull(String repository, String tag, Image image, long orderSeed) {
    List<Blob> blobs = new ArrayList<>(image.blobs());
    Collections.shuffle(blobs, new Random(orderSeed));
    byte[] manifest = image.manifest().bytes();
    CompletableFuture<?> chain = get("/v2/" + repository + "/manifests/" + tag,
        body -> Arrays.equals(manifest, body), "Accept", MANIFEST_ACCEPT);
    for (Blob blob : blobs) {
      chain = chain.thenCompose(done -> getBlob(repository, blob.digest()));
    }
    return chain.thenApply(done -> null);
  }

  /** GET of a blob, retried until its body has {@code digest}; completes with the bytes. */
  public CompletableFuture<byte[]> getBlob(String repository, String digest) {
    return get("/v2/" + repository + "/blobs/" + digest, body -> Sha256.digest(body).equals(digest));
  }

  /** GET of {@code path}, retried until a 200 whose body passes {@code valid}. */
  public CompletableFuture<byte[]> get(String path, Predicate<byte[]> valid, String... headers) {
    return attempt(path, valid, headers, 1);
  }

  /** Attempts made so far, retries included. */
  public int attempts() {
    return attempts.get();
  }

  /** Complete 200 bodies that were not what was asked for: a mirror serving wrong bytes. */
  public int wrongBodies() {
    return wrongBodies.get();
  }

  /** Every failed attempt, as {@code GET <url>: <why>}. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  private CompletableFuture<byte[]> attempt(String path, Predicate<byte[]> valid, String[] headers, int number) {
    int mirror = current.get();
    String url = mirrors.get(mirror) + path;
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(policy.attemptTimeout()).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    attempts.incrementAndGet();
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
        .orTimeout(policy.attemptTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle((response, error) -> outcome(response, error, valid, number))
        .thenCompose(outcome -> {
          if (outcome.body() != null) {
            return CompletableFuture.completedFuture(outcome.body());
          }
          failures.add("GET " + url + " (attempt " + number + "): " + outcome.reason());
          if (number >= policy.maxAttempts()) {
            return CompletableFuture.failedFuture(new AssertionError("GET " + path + " failed "
                + number + " times; last: " + outcome.reason()));
          }
          current.compareAndSet(mirror, (mirror + 1) % mirrors.size());
          Executor later = CompletableFuture.delayedExecutor(outcome.pause().toMillis(), TimeUnit.MILLISECONDS);
          return CompletableFuture.supplyAsync(() -> number + 1, later)
              .thenCompose(next -> attempt(path, valid, headers, next));
        });
  }

  /** What one attempt gave: the body, or why it failed and how long to wait before the next. */
  private record Outcome(byte[] body, String reason, Duration pause) {}

  private Outcome outcome(HttpResponse<byte[]> response, Throwable error, Predicate<byte[]> valid, int number) {
    Duration backoff = policy.backoff().multipliedBy(number);
    Duration pause = backoff.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : backoff;
    if (error != null) {
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof ConnectException) {
        return new Outcome(null, "connection refused", Duration.ZERO);
      }
      return new Outcome(null, cause.toString(), pause);
    }
    if (response.statusCode() != 200) {
      Duration retryAfter = response.headers().firstValue("Retry-After")
          .filter(value -> value.matches("[0-9]{1,4}"))
          .map(value -> Duration.ofSeconds(Long.parseLong(value)))
          .orElse(pause);
      return new Outcome(null, "status " + response.statusCode() + ": " + abbreviate(response.body()),
          retryAfter.compareTo(policy.maxBackoff()) > 0 ? policy.maxBackoff() : retryAfter);
    }
    if (!valid.test(response.body())) {
      wrongBodies.incrementAndGet();
      return new Outcome(null, "200 with a body of " + response.body().length + " bytes that is not the content",
          pause);
    }
    return new Outcome(response.body(), null, Duration.ZERO);
  }

  private static String abbreviate(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
