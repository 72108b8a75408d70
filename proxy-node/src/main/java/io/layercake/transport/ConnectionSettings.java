package io.layercake.transport;

import java.time.Duration;

/**
 * How {@link HttpTransport} opens, pools and times out connections to one kind of host. Upstream
 * registries take theirs from {@code layercake.upstream-client}; other nodes take the same connect
 * and idle timeouts with the cluster's own response timeout and pool size.
 *
 * @param connectTimeout time to open a connection
 * @param responseTimeout time from sending a request to its response headers
 * @param idleTimeout longest wait for the next body byte while the reader waits for one
 * @param maxConnections connections per host
 * @param maxOpenRequests requests queued or running per host, a power of two (Akka's pool needs one)
 * @param bodySubscriptionTimeout time a caller has to start reading a response body
 */
public record ConnectionSettings(
    Duration connectTimeout,
    Duration responseTimeout,
    Duration idleTimeout,
    int maxConnections,
    int maxOpenRequests,
    Duration bodySubscriptionTimeout) {

  public ConnectionSettings {
    if (maxConnections < 1 || Integer.bitCount(maxOpenRequests) != 1) {
      throw new IllegalArgumentException("maxConnections must be positive and maxOpenRequests a power of two, got "
          + maxConnections + " and " + maxOpenRequests);
    }
  }
}
