package io.layercake.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.stream.Materializer;
import com.typesafe.config.Config;
import io.layercake.admin.AdminApi;
import io.layercake.admin.AdminSettings;
import io.layercake.admin.ImageServices;
import io.layercake.blob.BlobEntity;
import io.layercake.blob.BlobFills;
import io.layercake.blob.BlobSettings;
import io.layercake.cluster.ClusterSettings;
import io.layercake.cluster.KubernetesBootstrap;
import io.layercake.cluster.PeerClient;
import io.layercake.cluster.PeerDirectory;
import io.layercake.eviction.EvictionSettings;
import io.layercake.eviction.Evictor;
import io.layercake.eviction.NodeEviction;
import io.layercake.http.HttpSettings;
import io.layercake.http.InFlightStreams;
import io.layercake.http.RegistryApi;
import io.layercake.manifest.ManifestCache;
import io.layercake.manifest.ManifestSettings;
import io.layercake.manifest.Manifests;
import io.layercake.manifest.TagEntity;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.RecentEviction;
import io.layercake.metrics.StoreUsage;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.storage.StorageSettings;
import io.layercake.storage.TagIndex;
import io.layercake.upstream.UpstreamClientSettings;
import io.layercake.upstream.Upstreams;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running layercake node: the actor system, its storage, the sharded entities and the HTTP
 * registry API. {@link #start} returns once the API is listening.
 */
public final class LayercakeNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LayercakeNode.class);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final BlobStore store;
  private final NodeEviction eviction;

  private LayercakeNode(ActorSystem<Void> system, ServerBinding binding, BlobStore store, NodeEviction eviction) {
    this.system = system;
    this.binding = binding;
    this.store = store;
    this.eviction = eviction;
  }

  /** Starts a node from {@code config} (see {@link NodeConfig}). */
  public static LayercakeNode start(Config config) {
    StorageSettings storage = StorageSettings.fromConfig(config);
    HttpSettings http = HttpSettings.fromConfig(config);
    BlobSettings blobSettings = BlobSettings.fromConfig(config);
    ManifestSettings manifestSettings = ManifestSettings.fromConfig(config);
    ClusterSettings clusterSettings = ClusterSettings.fromConfig(config);
    EvictionSettings evictionSettings = EvictionSettings.fromConfig(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME, config);
    try {
      Executor blocking = system.dispatchers().lookup(
          DispatcherSelector.fromConfig(BlobFills.BLOCKING_DISPATCHER));
      NodeDatabase database = NodeDatabaseExtension.get(system);
      Clock clock = Clock.systemUTC();
      BlobStore store = BlobStore.open(storage, database, clock);
      log.info("Storage at {} recovered: {}", storage.dataDir(), store.recover());
      TagIndex tagIndex = new TagIndex(database);
      Upstreams upstreams = Upstreams.fromConfig(system, config);
      UpstreamClientSettings upstreamClient = UpstreamClientSettings.fromConfig(config);
      PeerClient peers = new PeerClient(system, new PeerDirectory(system, clusterSettings), clusterSettings,
          upstreamClient);
      BlobFills fills = new BlobFills(store, upstreams, peers, blobSettings, blocking,
          Materializer.matFromSystem(system));
      Manifests manifests = new Manifests(store, upstreams, peers, blocking, upstreamClient.maxManifestSize(),
          new ManifestCache(manifestSettings.memoryCacheBytes()));

      NodeEviction eviction = NodeEviction.start(system, evictionSettings, store, database, tagIndex, manifests,
          peers, digest -> fills.running(digest).isPresent(), fills::runningDigests, blocking, clock);

      joinCluster(system, clusterSettings);
      BlobEntity.init(system, fills);
      TagEntity.init(system, manifests, tagIndex, manifestSettings, clock);

      AdminApi admin = new AdminApi(system, AdminSettings.fromConfig(config), clusterSettings, peers,
          new ImageServices(upstreams, fills, blobSettings, manifests, manifestSettings, tagIndex),
          eviction.cache());
      InFlightStreams inFlight = new InFlightStreams();
      reportGauges(NodeMetrics.get(system), store, fills, inFlight);
      reportEvictions(NodeMetrics.get(system), eviction.evictor());
      RegistryApi api = new RegistryApi(system, upstreams, fills, blobSettings, manifests,
          manifestSettings, tagIndex, clusterSettings, admin, inFlight);
      ServerBinding binding = Http.get(system)
          .newServerAt(http.interfaceAddress(), http.port())
          .bind(api)
          .toCompletableFuture()
          .get(30, java.util.concurrent.TimeUnit.SECONDS);
      drainOnShutdown(system, binding, inFlight, fills, clusterSettings.shutdownDeadline());
      log.info("layercake is serving the registry API on http://{}:{}/v2/ (upstream {})",
          http.interfaceAddress(), binding.localAddress().getPort(),
          upstreams.get(upstreams.defaultName()).settings().url());
      return new LayercakeNode(system, binding, store, eviction);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("layercake node failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * On SIGTERM: stop accepting connections, let the blob bodies in flight and the fills still
   * writing finish (up to the deadline), then close the connections. Only after that does
   * coordinated shutdown hand the node's shards over and leave the cluster.
   */
  private static void drainOnShutdown(ActorSystem<?> system, ServerBinding binding, InFlightStreams inFlight,
      BlobFills fills, Duration deadline) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "layercake-unbind",
        () -> binding.unbind().thenApply(unbound -> Done.getInstance()));
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "layercake-drain", () -> {
      log.info("Stopping: waiting up to {} for {} streams and {} fills", deadline, inFlight.count(),
          fills.runningCount());
      return inFlight.drained(system, deadline, fills::runningCount)
          .thenCompose(drained -> binding.terminate(Duration.ofSeconds(1)))
          .thenApply(terminated -> Done.getInstance());
    });
  }

  /** Gives the node's metrics what they read when scraped: store usage and work in flight. */
  private static void reportEvictions(NodeMetrics metrics, Evictor evictor) {
    evictor.onEviction(evicted -> metrics.evicted(evicted.reason().label(), evicted.size()));
    metrics.storeCap(evictor::maxSize);
    metrics.recentEvictions(() -> evictor.recent().stream()
        .map(evicted -> new RecentEviction(evicted.at(), evicted.digest().toString(), evicted.reason().label(),
            evicted.size()))
        .toList());
  }

  private static void reportGauges(NodeMetrics metrics, BlobStore store, BlobFills fills,
      InFlightStreams inFlight) {
    metrics.storeUsage(() -> new StoreUsage(store.usedBlobs(), store.usedBytes()));
    metrics.fillsInFlight(fills::runningCount);
    metrics.streamsInFlight(inFlight::count);
  }

  /**
   * Joins the cluster: through the configured seed nodes (Akka joins them itself), through
   * Kubernetes bootstrap, or, with neither, by forming a cluster of one.
   */
  private static void joinCluster(ActorSystem<?> system, ClusterSettings settings) {
    // Bootstrap first: it refuses to start alongside static seed nodes, so a node configured
    // with both fails loudly instead of silently using one of them.
    if (KubernetesBootstrap.startIfEnabled(system)) {
      log.info("Joining the cluster through Kubernetes bootstrap");
      return;
    }
    if (!settings.seedNodes().isEmpty()) {
      log.info("Joining the cluster through seed nodes {}", settings.seedNodes());
      return;
    }
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  /** The address the registry API listens on. */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /** The node's actor system. */
  public ActorSystem<Void> system() {
    return system;
  }

  /** The node's blob store. */
  public BlobStore store() {
    return store;
  }

  /** The node's eviction: its evictor (store size, cap, recent evictions) and the cluster cache verbs. */
  public NodeEviction eviction() {
    return eviction;
  }

  /** Stops the node: unbinds, then terminates the actor system and waits for it. */
  @Override
  public void close() {
    binding.terminate(Duration.ofSeconds(5));
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Node did not stop within 30 s: {}", e.toString());
    }
  }
}
