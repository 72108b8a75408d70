package io.layercake.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.http.javadsl.ConnectionContext;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.ServerBuilder;
import akka.stream.Materializer;
import com.typesafe.config.Config;
import io.layercake.UpstreamName;
import io.layercake.admin.AdminApi;
import io.layercake.admin.AdminSettings;
import io.layercake.admin.HotTagPrefetch;
import io.layercake.admin.ImageServices;
import io.layercake.auth.AuthSettings;
import io.layercake.auth.PullAuthenticator;
import io.layercake.blob.BlobEntity;
import io.layercake.blob.BlobFills;
import io.layercake.blob.BlobFinder;
import io.layercake.blob.BlobSettings;
import io.layercake.cluster.ClusterReadiness;
import io.layercake.cluster.ClusterSettings;
import io.layercake.cluster.ClusterStatus;
import io.layercake.cluster.KubernetesBootstrap;
import io.layercake.cluster.PeerClient;
import io.layercake.cluster.PeerDirectory;
import io.layercake.cluster.ReplicatedValues;
import io.layercake.cluster.ReturningMembers;
import io.layercake.cluster.SeedJoin;
import io.layercake.events.CacheEvent;
import io.layercake.events.CacheEvents;
import io.layercake.events.EventLog;
import io.layercake.events.EventSettings;
import io.layercake.eviction.EvictionReason;
import io.layercake.eviction.EvictionSettings;
import io.layercake.eviction.Evictor;
import io.layercake.eviction.NodeEviction;
import io.layercake.http.HttpSettings;
import io.layercake.http.InFlightStreams;
import io.layercake.http.NodeHealth;
import io.layercake.http.RegistryApi;
import io.layercake.manifest.ManifestCache;
import io.layercake.manifest.ManifestSettings;
import io.layercake.manifest.Manifests;
import io.layercake.manifest.TagEntity;
import io.layercake.manifest.TagMoves;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.RecentEviction;
import io.layercake.metrics.StoreUsage;
import io.layercake.storage.BlobScrub;
import io.layercake.storage.BlobStore;
import io.layercake.storage.DiskSpace;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.storage.PullFlusher;
import io.layercake.storage.ScrubSettings;
import io.layercake.storage.StorageSettings;
import io.layercake.storage.TagIndex;
import io.layercake.tls.ReloadingSslContext;
import io.layercake.tls.TlsContexts;
import io.layercake.upstream.PullBudget;
import io.layercake.upstream.UpstreamClientSettings;
import io.layercake.upstream.UpstreamSettings;
import io.layercake.upstream.Upstreams;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running layercake node: the actor system, its storage, the sharded entities and the HTTP
 * registry API. {@link #start} returns once the API is listening.
 */
public final class LayercakeNode implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LayercakeNode.class);
  private static final String START_FAILED = "the node did not start: ";
  /**
   * How long a leaving node lets the copies other nodes take from it finish. With the listener's
   * 1 s close it stays inside Akka's 5 s default for the last shutdown phase, which the grace
   * periods in cluster-config already count.
   */
  private static final Duration LAST_COPIES_GRACE = Duration.ofSeconds(3);

  private final ActorSystem<Void> system;
  private final ServerBinding binding;
  private final Optional<ServerBinding> internalBinding;
  private final BlobStore store;
  private final NodeEviction eviction;
  private final NodeHealth health;

  private LayercakeNode(ActorSystem<Void> system, ServerBinding binding, Optional<ServerBinding> internalBinding,
      BlobStore store, NodeEviction eviction, NodeHealth health) {
    this.system = system;
    this.binding = binding;
    this.internalBinding = internalBinding;
    this.store = store;
    this.eviction = eviction;
    this.health = health;
  }

  /**
   * Checks {@code config} as a start would, and starts nothing: every setting read and validated,
   * the upstream entries and the files they name included ({@code layercake serve --check-config}).
   *
   * @throws IllegalStateException naming the first problem, in words for an operator
   */
  public static void check(Config config) {
    Settings.read(config, "");
  }

  /**
   * Every setting a node runs on. A start reads them all before anything starts, so that a bad one
   * stops it with nothing half-built, and {@link #check} reads exactly what a start would.
   */
  private record Settings(StorageSettings storage, HttpSettings http, BlobSettings blob, ManifestSettings manifests,
      ClusterSettings cluster, EvictionSettings eviction, ScrubSettings scrub, UpstreamClientSettings upstreamClient,
      AdminSettings admin, AuthSettings auth, EventSettings events) {

    /** The settings; a problem is an IllegalStateException whose message starts with {@code prefix}. */
    static Settings read(Config config, String prefix) {
      try {
        Settings settings = new Settings(StorageSettings.fromConfig(config), HttpSettings.fromConfig(config),
            BlobSettings.fromConfig(config), ManifestSettings.fromConfig(config), ClusterSettings.fromConfig(config),
            EvictionSettings.fromConfig(config), ScrubSettings.fromConfig(config),
            UpstreamClientSettings.fromConfig(config), AdminSettings.fromConfig(config), AuthSettings.fromConfig(config),
            EventSettings.fromConfig(config));
        // Read once: the entries name password files, and every read opens them.
        Map<String, UpstreamSettings> upstreams = UpstreamSettings.allFromConfig(config);
        String defaultUpstream = config.getString("layercake.default-upstream");
        if (!upstreams.containsKey(defaultUpstream)) {
          throw new IllegalArgumentException("layercake.default-upstream names \"" + defaultUpstream
              + "\", which is not under layercake.upstreams");
        }
        requireGuardedUpstreamCredentials(config, settings.auth(), upstreams);
        return settings;
      } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
        throw new IllegalStateException(prefix + e.getMessage(), e);
      }
    }
  }

  /**
   * Starts a node from {@code config} (see {@link NodeConfig}).
   *
   * @throws IllegalStateException if it cannot: the message says why, in words for an operator
   */
  public static LayercakeNode start(Config config) {
    Settings settings = Settings.read(config, START_FAILED);
    StorageSettings storage = settings.storage();
    HttpSettings http = settings.http();
    BlobSettings blobSettings = settings.blob();
    ManifestSettings manifestSettings = settings.manifests();
    ClusterSettings clusterSettings = settings.cluster();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterSettings.SYSTEM_NAME,
        SeedJoin.akkaSettings(clusterSettings, storage.dataDir()).withFallback(config));
    try {
      Executor blocking = system.dispatchers().lookup(
          DispatcherSelector.fromConfig(BlobFills.BLOCKING_DISPATCHER));
      NodeDatabase database = NodeDatabaseExtension.get(system);
      Clock clock = Clock.systemUTC();
      BlobStore store = BlobStore.open(storage, database, clock);
      store.onCorruption(found -> NodeMetrics.get(system).blobCorrupted(found.foundBy().label()));
      log.info("Storage at {} recovered: {}", storage.dataDir(), store.recover());
      BlobScrub.start(system, settings.scrub(), store, blocking);
      TagIndex tagIndex = new TagIndex(database);
      PullFlusher.start(system, store, tagIndex, blocking);
      Upstreams upstreams = Upstreams.fromConfig(system, config);
      shareBudgets(system, upstreams);
      UpstreamClientSettings upstreamClient = settings.upstreamClient();
      PeerClient peers = new PeerClient(system, new PeerDirectory(system, clusterSettings), clusterSettings,
          upstreamClient.connection(), upstreamClient.maxManifestSize());
      BlobFills fills = new BlobFills(store, upstreams, peers,
          ReturningMembers.start(system, clusterSettings.returningMemberWait()), blobSettings, blocking,
          Materializer.matFromSystem(system));
      Manifests manifests = new Manifests(store, upstreams, peers, blocking, upstreamClient.maxManifestSize(),
          new ManifestCache(manifestSettings.memoryCacheBytes()), NodeMetrics.get(system));

      EvictionSettings capped = settings.eviction().cappedToVolume(volumeSize(storage.dataDir()));
      if (capped.maxSize() < settings.eviction().maxSize()) {
        log.info("The size cap is {} bytes: layercake.storage.max-size ({}) does not fit the data volume less its"
            + " reserve (layercake.storage.volume-reserve)", capped.maxSize(), settings.eviction().maxSize());
      }
      NodeEviction eviction = NodeEviction.start(system, capped, store, database, tagIndex, manifests,
          peers, digest -> fills.running(digest).isPresent(), fills::runningDigests, blocking, clock,
          upstreams::registryOf);

      CacheEvents events = CacheEvents.start(system, new EventLog(database, settings.events().retain()),
          settings.events(), peers.directory().selfUrl(), clock);
      fills.onFilled((upstream, repository, digest, size) -> events.publish(CacheEvent.blobFilled(events.now(),
          upstream.value(), repository.value(), digest.toString(), size)));
      ImageServices services = new ImageServices(upstreams, fills, store, peers, blocking, manifests, manifestSettings);
      Evictor evictor = eviction.evictor();
      HotTagPrefetch prefetch = new HotTagPrefetch(system, services, new BlobFinder(system, fills),
          () -> Math.max(0, evictor.maxSize() - evictor.usedBytes()), manifestSettings.refresh().maxBytes());

      joinCluster(system, clusterSettings, storage.dataDir());
      BlobEntity.init(system, fills);
      TagEntity.init(system, manifests, tagIndex, manifestSettings, clock, tagMoves(events, prefetch));
      NodeHealth health = new NodeHealth(
          ClusterReadiness.start(system, List.of(BlobEntity.ENTITY_KEY.name(), TagEntity.ENTITY_KEY.name())),
          database::isOpen);

      // The shard counts per member that /admin/cluster and the status page show, by entity type.
      Map<String, EntityTypeKey<?>> sharded = new LinkedHashMap<>();
      sharded.put("blob", BlobEntity.ENTITY_KEY);
      sharded.put("tag", TagEntity.ENTITY_KEY);
      ClusterStatus clusterStatus = new ClusterStatus(system, clusterSettings, peers, sharded);
      AdminApi admin = new AdminApi(system, settings.admin(), clusterStatus, services, eviction.cache(), events.log());
      InFlightStreams inFlight = new InFlightStreams();
      reportGauges(NodeMetrics.get(system), store, fills, inFlight, Cluster.get(system));
      reportEvictions(NodeMetrics.get(system), evictor, events);
      NodeMetrics.get(system).imagePulls(tagIndex::pullsSinceStart);
      PullAuthenticator authenticator = PullAuthenticator.create(settings.auth(), clock);
      if (authenticator.enabled() && clusterSettings.dataPlane() == ClusterSettings.DataPlane.REDIRECT) {
        // Clients drop their credentials when a redirect leads to another host: the owner node
        // would answer them 401.
        throw new IllegalArgumentException("layercake.cluster.data-plane = redirect does not work with pull"
            + " authentication (layercake.auth.htpasswd): clients do not send credentials to the node they are"
            + " redirected to. Use data-plane = proxy");
      }
      RegistryApi api = new RegistryApi(system, upstreams, fills, store, blocking, blobSettings, manifests,
          manifestSettings, tagIndex, clusterSettings, clusterStatus, admin, inFlight, health, authenticator);
      ServerBuilder registryPort = Http.get(system).newServerAt(http.interfaceAddress(), http.port());
      if (http.tls().isPresent()) {
        ReloadingSslContext certificate = http.tls().get().reloading(http.tlsCheckInterval());
        registryPort = registryPort.enableHttps(ConnectionContext.httpsServer(
            () -> TlsContexts.serverEngine(certificate.current(), false)));
      }
      ServerBinding binding = await(registryPort.bind(api), "the registry port " + http.port());
      Optional<ServerBinding> internalBinding = Optional.empty();
      if (clusterSettings.internalTls()) {
        ReloadingSslContext clusterCertificate = clusterSettings.tls().orElseThrow().reloading();
        internalBinding = Optional.of(await(Http.get(system)
            .newServerAt(http.interfaceAddress(), clusterSettings.internalPort())
            .enableHttps(ConnectionContext.httpsServer(
                () -> TlsContexts.clusterServerEngine(clusterCertificate.current(), "the node-to-node listener")))
            .bind(api.internalApi()), "the internal port " + clusterSettings.internalPort()));
      }
      drainOnShutdown(system, health, http.shutdownDelay(), binding, internalBinding, inFlight, fills,
          clusterSettings.shutdownDeadline());
      log.info("layercake is serving the registry API on {}://{}:{}/v2/ (upstream {})",
          http.tls().isPresent() ? "https" : "http", http.interfaceAddress(), binding.localAddress().getPort(),
          upstreams.get(upstreams.defaultName()).settings().url());
      internalBinding.ifPresent(internal -> log.info("Nodes stream blobs to each other over mutual TLS on port {}",
          internal.localAddress().getPort()));
      return new LayercakeNode(system, binding, internalBinding, store, eviction, health);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException(START_FAILED + e.getMessage(), e);
    }
  }

  /**
   * Refuses upstream credentials without pull authentication unless the operator says so: the
   * mirror pulls with the account's rights for whoever reaches its port, private images included,
   * and lists their names in {@code _catalog}.
   */
  private static void requireGuardedUpstreamCredentials(Config config, AuthSettings auth,
      Map<String, UpstreamSettings> upstreams) {
    if (auth.enabled()
        || config.getBoolean("layercake.auth.allow-anonymous-with-upstream-credentials")) {
      return;
    }
    upstreams.forEach((name, upstream) -> {
      if (upstream.credentials().isPresent()) {
        throw new IllegalArgumentException("layercake.upstreams." + name + ".credentials are set, but pull"
            + " authentication is off: anyone who reaches the registry port would pull with that account's"
            + " rights, private images included. Set layercake.auth.htpasswd (LAYERCAKE_AUTH_HTPASSWD), or"
            + " layercake.auth.allow-anonymous-with-upstream-credentials = on"
            + " (LAYERCAKE_AUTH_ALLOW_ANONYMOUS_WITH_UPSTREAM_CREDENTIALS) if every client may");
      }
    });
  }

  /** The size of the file system holding {@code dir}, or no limit if it cannot be read. */
  private static long volumeSize(Path dir) {
    long size = DiskSpace.volumeSize(dir);
    if (size == Long.MAX_VALUE) {
      log.warn("Cannot read the size of the volume holding {}; the cap is layercake.storage.max-size", dir);
    }
    return size;
  }

  private static ServerBinding await(CompletionStage<ServerBinding> binding, String what) throws Exception {
    try {
      return binding.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot listen on " + what + ": " + e.getCause().getMessage(), e.getCause());
    }
  }

  /**
   * On SIGTERM: {@code /readyz} turns 503 at once, and the node keeps serving new requests for
   * the shutdown delay, so that load balancers move traffic away first. Then it lets the blob
   * bodies in flight and the fills still writing finish (up to the deadline), with the listeners
   * still open, and only then closes the registry port. After that, coordinated shutdown hands the
   * node's shards over and leaves the cluster; the node-to-node listener closes last.
   */
  private static void drainOnShutdown(ActorSystem<?> system, NodeHealth health, Duration delay,
      ServerBinding binding, Optional<ServerBinding> internalBinding, InFlightStreams inFlight, BlobFills fills,
      Duration deadline) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "layercake-unready", () -> {
      health.stopping();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "layercake-drain", () -> {
      log.info("Stopping: /readyz answers 503; serving for {} more, then waiting up to {} for {} streams and {}"
          + " fills", delay, deadline, inFlight.count(), fills.runningCount());
      CompletableFuture<Done> delayed = new CompletableFuture<>();
      system.scheduler().scheduleOnce(delay, () -> delayed.complete(Done.getInstance()), system.executionContext());
      return delayed
          .thenCompose(waited -> inFlight.drained(system, deadline, fills::runningCount))
          .thenCompose(drained -> binding.terminate(Duration.ofSeconds(1)))
          .thenApply(terminated -> Done.getInstance());
    });
    // Other nodes copy this node's blobs from it until its shards have moved, which happens after
    // the registry port closed: its node-to-node listener closes last. A new owner may have begun
    // such a copy just before this node left; cutting it would fail the pulls waiting on it (the
    // rolling restart of the fault schedule saw one), so those copies get a short grace first.
    // Once this node is out of the cluster no new copy starts: peers wait for it to return.
    internalBinding.ifPresent(internal -> shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "layercake-close-internal", () -> inFlight.drained(system, LAST_COPIES_GRACE, () -> 0)
            .thenCompose(drained -> internal.terminate(Duration.ofSeconds(1)))
            .thenApply(terminated -> Done.getInstance())));
  }

  /** Tells the node's metrics of every eviction, the store's cap and the recent evictions. */
  /**
   * What happens when a tag's entity finds it moved: an event, and for a refresh the new blobs
   * fetched ahead.
   */
  private static TagMoves tagMoves(CacheEvents events, HotTagPrefetch prefetch) {
    return (upstream, repository, tag, previous, current, ahead) -> {
      events.publish(CacheEvent.tagMoved(events.now(), upstream.value(), repository.value(), tag.value(),
          previous.toString(), current.digest().toString(), ahead ? "refresh" : "pull"));
      return ahead
          ? prefetch.prefetch(upstream, repository, tag, previous, current).thenApply(bytes -> (Void) null)
          : CompletableFuture.completedFuture(null);
    };
  }

  /** Evictions go to the metrics and, as events, to the event log and the webhook. */
  private static void reportEvictions(NodeMetrics metrics, Evictor evictor, CacheEvents events) {
    metrics.evictionReasons(Arrays.stream(EvictionReason.values()).map(EvictionReason::label).toList());
    evictor.onEviction(evicted -> {
      metrics.evicted(evicted.reason().label(), evicted.size());
      String type = switch (evicted.reason()) {
        case PRUNE -> "blob.pruned";
        case RMI -> "blob.removed";
        default -> "blob.evicted";
      };
      events.publish(CacheEvent.blobGone(type, evicted.at().toString(), evicted.digest().toString(),
          evicted.size(), evicted.reason().label()));
    });
    metrics.storeCap(evictor::maxSize);
    metrics.recentEvictions(() -> evictor.recent().stream()
        .map(evicted -> new RecentEviction(evicted.at(), evicted.digest().toString(), evicted.reason().label(),
            evicted.size()))
        .toList());
  }

  /**
   * Gives the node's metrics what they read when scraped: store usage, work in flight and the
   * cluster's members.
   */
  private static void reportGauges(NodeMetrics metrics, BlobStore store, BlobFills fills,
      InFlightStreams inFlight, Cluster cluster) {
    metrics.storeUsage(() -> new StoreUsage(store.usedBlobs(), store.usedBytes()));
    metrics.fillsInFlight(fills::runningCount);
    metrics.streamsInFlight(inFlight::count);
    metrics.clusterMembers(() -> membersByStatus(cluster));
  }

  /** The members by status, lower-case ({@code up}, {@code leaving}, ...); {@code up} always. */
  private static Map<String, Integer> membersByStatus(Cluster cluster) {
    Map<String, Integer> byStatus = new TreeMap<>(Map.of("up", 0));
    for (Member member : cluster.state().getMembers()) {
      byStatus.merge(member.status().toString().toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    return byStatus;
  }

  /**
   * Joins the cluster: through the configured seed nodes ({@link SeedJoin}), through Kubernetes
   * bootstrap, or, with neither, by forming a cluster of one.
   */
  private static void joinCluster(ActorSystem<?> system, ClusterSettings settings, Path dataDir) {
    settings.tls().ifPresent(tls -> log.info("Cluster remoting on {}:{} uses mutual TLS with the files in {}",
        settings.host(), settings.port(), tls.dir()));
    if (settings.clustered() && settings.tls().isEmpty()) {
      log.warn("\n"
          + "*****************************************************************************************\n"
          + "  Akka remoting on {}:{} is NEITHER ENCRYPTED NOR AUTHENTICATED: any host that can reach\n"
          + "  that port can join this cluster, take shards and down members, and blob transfers between\n"
          + "  nodes cross the network in clear text. Set LAYERCAKE_CLUSTER_TLS_DIR on every node\n"
          + "  (layercake.cluster.tls-dir; cluster-config/tls/make-certs makes the files).\n"
          + "*****************************************************************************************",
          settings.host(), settings.port());
    }
    // Never both: ClusterSettings refuses a node configured with bootstrap and seed nodes.
    if (KubernetesBootstrap.startIfEnabled(system)) {
      log.info("Joining the cluster through Kubernetes bootstrap");
      return;
    }
    if (!settings.seedNodes().isEmpty()) {
      SeedJoin.start(system, settings, dataDir);
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

  /** The node's health: readiness, and whether it is stopping. */
  public NodeHealth health() {
    return health;
  }

  /** Stops the node: unbinds, then terminates the actor system and waits for it. */
  @Override
  public void close() {
    internalBinding.ifPresent(internal -> internal.terminate(Duration.ofSeconds(5)));
    binding.terminate(Duration.ofSeconds(5));
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Node did not stop within 30 s: {}", e.toString());
    }
  }

  /**
   * One pull budget per upstream for the whole cluster: what upstream reports to any node, and
   * any node's backing off after a 429, reaches every node's budget.
   */
  private static void shareBudgets(ActorSystem<?> system, Upstreams upstreams) {
    ReplicatedValues<PullBudget.Shared> shared = ReplicatedValues.start(system, "upstream-budgets",
        (name, budget) -> upstreams.names().stream().filter(upstream -> upstream.value().equals(name)).findFirst()
            .ifPresent(upstream -> upstreams.get(upstream).budget().merge(budget)));
    Cluster cluster = Cluster.get(system);
    for (UpstreamName upstream : upstreams.names()) {
      upstreams.get(upstream).budget().onChange(budget -> shared.put(upstream.value(), budget));
      upstreams.get(upstream).budget().sharedBy(() -> (int) StreamSupport.stream(
              cluster.state().getMembers().spliterator(), false)
          .filter(member -> member.status() == MemberStatus.up()).count());
    }
  }
}
