package io.layercake.cluster;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.Uri;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster formation on Kubernetes, switched on by {@code layercake.cluster.kubernetes-bootstrap}.
 *
 * <p>It starts two Akka Management pieces. The management HTTP endpoint (its own port,
 * {@code akka.management.http.*}) answers the kubelet's probes, {@code /alive} and {@code /ready}
 * (ready once this node is an {@code Up} member), and tells other pods the cluster's seed nodes.
 * Cluster Bootstrap then lists the pods through the Kubernetes API
 * ({@code akka.discovery.kubernetes-api}), asks their management endpoints whether a cluster
 * already exists, and joins it; if none does, the pod with the lowest address forms it once
 * {@code required-contact-point-nr} pods are seen. Static seed nodes and bootstrap exclude each
 * other, so a node configured with both fails at start-up instead of silently using one.
 * The Akka settings that go with it are in {@code cluster-config/kubernetes/kubernetes.conf}.
 */
public final class KubernetesBootstrap {

  private static final Logger log = LoggerFactory.getLogger(KubernetesBootstrap.class);

  /** How long start-up waits for the management endpoint to bind its port. */
  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

  private KubernetesBootstrap() {}

  /**
   * Starts Akka Management and Cluster Bootstrap if {@code layercake.cluster.kubernetes-bootstrap}
   * is on, and returns {@code true}: the caller must then not join any node itself, since
   * bootstrap does. Returns {@code false}, having started nothing, when it is off. Returns once
   * the management endpoint is bound; joining the cluster happens later, in the background.
   *
   * <p>Whether the rest of {@code layercake.cluster} suits bootstrap (no static seed nodes, a
   * shared secret) is checked with the other cluster settings, by {@link ClusterSettings#fromConfig}.
   *
   * @throws IllegalStateException if the management endpoint cannot bind its port
   */
  public static boolean startIfEnabled(ActorSystem<?> system) {
    if (!system.settings().config().getBoolean("layercake.cluster.kubernetes-bootstrap")) {
      return false;
    }
    AkkaManagement management = AkkaManagement.get(system);
    Uri uri = awaitBinding(management.start());
    // Stopped only as the actor system terminates, after the cluster leave: /alive keeps answering
    // while the node hands off its shards, so the kubelet does not kill a pod that is stopping well.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "stop-akka-management", management::stop);
    ClusterBootstrap.get(system).start();
    log.info("Kubernetes bootstrap started: Akka Management at {}, looking for peers through {}", uri,
        ClusterBootstrap.get(system).settings().contactPointDiscovery().discoveryMethod());
    return true;
  }

  private static Uri awaitBinding(CompletionStage<Uri> binding) {
    try {
      return binding.toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("Akka Management could not bind (akka.management.http): "
          + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException e) {
      throw new IllegalStateException("Akka Management did not bind within " + BIND_TIMEOUT.toSeconds()
          + " s (akka.management.http)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while Akka Management was binding", e);
    }
  }
}
