package io.layercake.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A client that asks a registry for names nobody has: random blob digests and random tags, with no
 * credentials, GETs and HEADs mixed, a fixed number in flight. What an anonymous scanner or a
 * hostile client can send for free. Shared by the flood integration test and the load scenario.
 */
public final class NameFlood {

  /** The repositories the names are asked under (a few, as a scanner guessing names would use). */
  private static final String[] REPOSITORIES = {"library/flood", "someone/flood", "library/flood-2"};

  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final Random random;
  private final int inFlight;

  /**
   * A flood with names from {@code seed}, {@code inFlight} requests at a time.
   */
  public NameFlood(long seed, int inFlight) {
    this.random = new Random(seed);
    this.inFlight = inFlight;
  }

  /**
   * What a run got back.
   *
   * @param statuses how many answers had each HTTP status; -1 counts requests that failed
   * @param elapsed how long the run took
   */
  public record Result(Map<Integer, Long> statuses, Duration elapsed) {

    /** How many requests were answered or failed. */
    public long requests() {
      return statuses.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Whether every request got an answer in 400..499. */
    public boolean allClientErrors() {
      return statuses.keySet().stream().allMatch(status -> status >= 400 && status < 500);
    }

    /** Requests per second. */
    public long rate() {
      return requests() * 1000 / Math.max(1, elapsed.toMillis());
    }

    /** This run and {@code other} together: their statuses added, their times summed. */
    public Result plus(Result other) {
      Map<Integer, Long> sum = new TreeMap<>(statuses);
      other.statuses().forEach((status, count) -> sum.merge(status, count, Long::sum));
      return new Result(sum, elapsed.plus(other.elapsed()));
    }
  }

  /**
   * Sends {@code names} random digests and {@code names} random tags to {@code registryUrl}
   * (every fourth request a HEAD), and returns once every one is answered. Fails if answers are
   * still missing {@code patience} after the last request went out.
   */
  public Result run(String registryUrl, int names, Duration patience) throws InterruptedException {
    Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    Semaphore slots = new Semaphore(inFlight);
    byte[] hash = new byte[32];
    long started = System.nanoTime();
    for (int i = 0; i < 2 * names; i++) {
      String repository = REPOSITORIES[i % REPOSITORIES.length];
      String path;
      if (i % 2 == 0) {
        random.nextBytes(hash);
        path = "/v2/" + repository + "/blobs/sha256:" + HexFormat.of().formatHex(hash);
      } else {
        path = "/v2/" + repository + "/manifests/t" + Long.toHexString(random.nextLong());
      }
      HttpRequest request = HttpRequest.newBuilder(URI.create(registryUrl + path))
          .method(i % 4 < 2 ? "GET" : "HEAD", HttpRequest.BodyPublishers.noBody())
          .timeout(Duration.ofSeconds(60)).build();
      slots.acquire();
      client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
        statuses.computeIfAbsent(error == null ? response.statusCode() : -1, status -> new LongAdder()).increment();
        slots.release();
      });
    }
    if (!slots.tryAcquire(inFlight, patience.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("requests still unanswered after " + patience);
    }
    slots.release(inFlight);
    Map<Integer, Long> counts = new TreeMap<>();
    statuses.forEach((status, count) -> counts.put(status, count.sum()));
    return new Result(counts, Duration.ofNanos(System.nanoTime() - started));
  }
}
