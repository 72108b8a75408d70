package io.layercake.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import io.layercake.cluster.ClusterReadiness;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/*
 * Implementation notes
 *
 * Two questions, asked by different people. /livez is the kubelet's "should I restart this
 * process": it answers 200 while the process can answer at all, and nothing else, because a node
 * that is waiting for its cluster is not helped by a restart. /readyz is the load balancer's
 * "should I send it requests": only when the node is an Up member whose shard regions the
 * coordinator knows (otherwise entity requests queue in the region until they time out), that
 * reaches a majority of the cluster (otherwise its requests wait for shards on nodes it cannot
 * reach, until the split brain resolver downs it), its store is open, and it is not stopping. On SIGTERM it turns 503 at once while the listener keeps
 * serving, so that traffic moves away before the node drains.
 *
 * Requests that need the cluster fail fast on the same facts (whenCluster): a node that is not
 * in a cluster answers 503 with Retry-After within seconds, rather than after the ask timeout.
 * It waits a little first (STARTUP_GRACE): a node that was just started, or whose regions are
 * being registered, is usually ready within a second or two, and a client that sends its first
 * pull right after the node's port opened (a script, a CI job) should get the image, not a 503
 * that most clients do not retry. GET /v2/, the clients' "is this a registry" probe, answers on
 * the same terms, so a client that probes first sees a node that cannot serve as unavailable.
 */

/** The node's liveness and readiness, {@code GET /livez} and {@code GET /readyz}. */
public final class NodeHealth {

  private static final Duration RETRY_AFTER = Duration.ofSeconds(5);
  /** How long a request waits for a node that is not ready yet; well inside 5 s. */
  private static final Duration STARTUP_GRACE = Duration.ofSeconds(2);

  private final ClusterReadiness cluster;
  private final BooleanSupplier storeOpen;
  private final AtomicBoolean stopping = new AtomicBoolean();

  /** Health over the node's cluster membership and its store. */
  public NodeHealth(ClusterReadiness cluster, BooleanSupplier storeOpen) {
    this.cluster = cluster;
    this.storeOpen = storeOpen;
  }

  /** Marks the node as stopping: {@code /readyz} answers 503 from now on. */
  public void stopping() {
    stopping.set(true);
  }

  /** Whether the node should get traffic. */
  public boolean ready() {
    return !stopping.get() && storeOpen.getAsBoolean() && cluster.ready();
  }

  /**
   * Completes once the node can reach its sharded entities, waiting up to {@link #STARTUP_GRACE};
   * fails with 503 and {@code Retry-After} if it still cannot: not yet (or no longer) an Up member,
   * or its regions not registered.
   */
  CompletionStage<Void> whenCluster() {
    return cluster.awaitReady(STARTUP_GRACE).thenAccept(ready -> {
      if (ready) {
        return;
      }
      if (!cluster.memberUp()) {
        throw new OciException(ErrorCode.UNAVAILABLE, "this node is not serving yet, retry",
            "not an Up member of a cluster (member status " + cluster.memberStatus() + ")", RETRY_AFTER);
      }
      if (!cluster.regionsRegistered()) {
        throw new OciException(ErrorCode.UNAVAILABLE, "this node is not serving yet, retry",
            "its shard regions are not registered with the cluster yet", RETRY_AFTER);
      }
      throw new OciException(ErrorCode.UNAVAILABLE, "this node is cut off from most of its cluster, retry"
          + " through another node", "it does not reach a majority of the cluster's members", RETRY_AFTER);
    });
  }

  HttpResponse live() {
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, "{\"live\":true}"));
  }

  HttpResponse readiness() {
    boolean ready = ready();
    String body = "{\"ready\":" + ready
        + ",\"member\":\"" + cluster.memberStatus() + "\""
        + ",\"shardRegions\":" + cluster.regionsRegistered()
        + ",\"majority\":" + cluster.onMajoritySide()
        + ",\"store\":" + storeOpen.getAsBoolean()
        + ",\"stopping\":" + stopping.get() + "}";
    return HttpResponse.create()
        .withStatus(ready ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body.getBytes(StandardCharsets.UTF_8)));
  }
}
