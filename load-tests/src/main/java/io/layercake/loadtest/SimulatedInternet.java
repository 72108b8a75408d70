package io.layercake.loadtest;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.Fault;
import io.layercake.testkit.LargeBlob;
import io.layercake.testkit.RecordedRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The upstream stand-in: a Docker-Hub-like registry (bearer tokens from a realm, anonymous pulls)
 * behind a slow link, every response delayed by a round trip and every blob body throttled, so
 * that cold pulls cost what they cost from Docker Hub. It counts what it sends, which is how the
 * report knows each system's upstream traffic.
 */
public final class SimulatedInternet implements AutoCloseable {

  private final FakeRegistry registry;
  private final long bandwidth;
  private final Duration latency;
  private final Map<String, Long> blobSizes = new HashMap<>();

  private SimulatedInternet(FakeRegistry registry, long bandwidth, Duration latency) {
    this.registry = registry;
    this.bandwidth = bandwidth;
    this.latency = latency;
  }

  /** Starts the registry with {@code bandwidth} bytes per second per blob and {@code latency}. */
  public static SimulatedInternet start(long bandwidth, Duration latency) {
    FakeRegistry registry = FakeRegistry.start(FakeRegistry.Options.defaults()
        .tokenAuth(true)
        .tokenLifetime(Duration.ofHours(2))
        .rateLimit(1_000_000));
    if (!latency.isZero()) {
      registry.inject(Fault.latency(latency), "^/", FakeRegistry.FOREVER);
    }
    registry.inject(Fault.throttle(bandwidth), "/blobs/", FakeRegistry.FOREVER);
    return new SimulatedInternet(registry, bandwidth, latency);
  }

  /** The base URL, {@code http://127.0.0.1:<port>}. */
  public String url() {
    return registry.url();
  }

  /** {@code 127.0.0.1:<port>}. */
  public String hostPort() {
    return url().substring("http://".length());
  }

  /** The throttle, in bytes per second per response. */
  public long bandwidth() {
    return bandwidth;
  }

  /** The delay added to every response. */
  public Duration latency() {
    return latency;
  }

  /** Pushes {@code image}: its blobs, its manifest, and its tag. */
  public synchronized void publish(LoadImage image) {
    for (LargeBlob blob : image.blobs()) {
      registry.putBlobFile(image.repository(), blob.digest(), blob.file());
      blobSizes.put(blob.digest(), blob.size());
    }
    registry.putManifest(image.repository(), image.tag(), LoadImage.MANIFEST_TYPE, image.manifest());
  }

  /** Forgets what was counted so far, before the next system's measurement. */
  public void resetCounts() {
    registry.resetCounts();
  }

  /** Response body bytes sent since the last reset: blobs, manifests and tokens. */
  public long bytesSent() {
    return registry.bodyBytesSent();
  }

  /** What upstream saw since the last reset. */
  public Traffic traffic() {
    Map<String, Integer> blobGets = new HashMap<>();
    int manifestRequests = 0;
    for (RecordedRequest request : registry.requests()) {
      String path = request.path();
      int at = path.lastIndexOf("/blobs/");
      // A GET without a token is answered 401 with no body: the client's first try, not a fetch.
      if (at >= 0 && request.method().equals("GET") && request.hasAuthorization()) {
        blobGets.merge(path.substring(at + "/blobs/".length()), 1, Integer::sum);
      } else if (path.contains("/manifests/")) {
        manifestRequests++;
      }
    }
    long blobBytes = 0;
    for (Map.Entry<String, Integer> entry : blobGets.entrySet()) {
      blobBytes += blobSizes.getOrDefault(entry.getKey(), 0L) * entry.getValue();
    }
    return new Traffic(blobGets.values().stream().mapToInt(Integer::intValue).sum(),
        new HashSet<>(blobGets.keySet()), blobBytes, manifestRequests, bytesSent());
  }

  @Override
  public void close() {
    registry.close();
  }

  /**
   * Upstream traffic over one measurement.
   *
   * @param blobGets blob GETs answered with the blob (token-less tries, answered 401, left out)
   * @param blobsFetched the distinct digests among them
   * @param blobBytes the bytes those GETs asked for (size times count)
   * @param manifestRequests manifest GETs and HEADs
   * @param bytesSent every response body byte actually sent
   */
  public record Traffic(int blobGets, Set<String> blobsFetched, long blobBytes,
      int manifestRequests, long bytesSent) {}
}
