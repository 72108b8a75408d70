package io.layercake.metrics;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.typed.javadsl.Adapter;
import io.layercake.UpstreamName;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/*
 * Implementation notes
 *
 * One instance per node, reached as an Akka extension (one per actor system): the components that
 * report (the HTTP endpoints, the blob entity, the upstream client, eviction) can find it from
 * the actor system they already hold, and several nodes in one test JVM keep separate numbers.
 * Each instance has its own PrometheusRegistry for the same reason; the rest of the code talks
 * to this class only, never to the client library.
 *
 * Hot paths never look a label up: every data point they touch is resolved once (by enum, and
 * by status code for requests), and counting is one LongAdder add inside the library. Bytes are
 * added per chunk (a blob read, 64 KiB to 2 MiB), which at 2 GB/s is at most tens of thousands of
 * adds a second.
 *
 * Gauges are callbacks, read when scraped: the parts they read (store, fills, cluster) are wired
 * after this instance exists, so each callback reads a field that wiring sets, and leaves its
 * sample out while the field is unset or the value is unknown (negative or NaN).
 *
 * Definitions (docs/ARCHITECTURE.md repeats them for operators):
 * - blob hit: a client's blob request answered from a committed copy, on this node's disk or on
 *   the owner's; blob miss: answered from a fill in progress (the blob was not cached when
 *   asked). A miss either started the fill (layercake_blob_fills_started_total) or joined one
 *   another request started (layercake_blob_fill_coalesced_total).
 * - manifest hit: a request for a manifest by tag answered without asking upstream; miss: the
 *   tag was revalidated or fetched upstream for it (or upstream was tried and the stale copy
 *   served). Requests by digest are immutable content and are not classified.
 */

/** The metrics of one node, and the hooks every part of the node reports through. */
public final class NodeMetrics implements Extension {

  /**
   * The checks that find corrupted blob files, as the {@code found_by} label says them; exported at
   * zero from start-up.
   */
  public static final List<String> CORRUPTION_CHECKS = List.of("recovery", "scrub", "serve");

  /** What a node could not store for want of disk space, and served anyway. */
  public enum Uncached {
    /** A blob streamed from upstream to the client without being stored. */
    BLOB,
    /** A manifest served from memory without being stored. */
    MANIFEST,
    /** A tag's answer not recorded in its journal. */
    TAG
  }

  /**
   * A scrape, rendered in the format the scraper asked for.
   *
   * @param contentType the format's media type, with its version
   * @param body the exposition
   */
  public record Exposition(String contentType, byte[] body) {}

  /** Upper bounds of the upstream latency buckets, in seconds. */
  private static final double[] UPSTREAM_BUCKETS =
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  /** Upper bounds of the request duration buckets, in seconds: hits answer in a millisecond. */
  private static final double[] REQUEST_BUCKETS =
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final int MAX_STATUS = 600;
  private static final Id ID = new Id();
  private static final PrometheusTextFormatWriter PROMETHEUS_TEXT = PrometheusTextFormatWriter.create();
  private static final OpenMetricsTextFormatWriter OPEN_METRICS = OpenMetricsTextFormatWriter.create();

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Map<Endpoint, AtomicReferenceArray<CounterDataPoint>> requestsByStatus = new EnumMap<>(Endpoint.class);
  private final Map<Endpoint, DistributionDataPoint> requestDuration = new EnumMap<>(Endpoint.class);
  private final Map<Endpoint, Optional<LongConsumer>> servedBytes = new EnumMap<>(Endpoint.class);
  private final Map<CacheKind, CounterDataPoint> hits = new EnumMap<>(CacheKind.class);
  private final Map<CacheKind, CounterDataPoint> misses = new EnumMap<>(CacheKind.class);
  private final Map<FillSource, CounterDataPoint> fillsStarted = new EnumMap<>(FillSource.class);
  private final CounterDataPoint coalesced;
  // Per upstream: the upstreams are configured, so the label values are bounded; each data point
  // is resolved on first use and kept.
  private final Counter upstreamBlobBytesFamily;
  private final Map<UpstreamName, CounterDataPoint> upstreamBlobBytes = new ConcurrentHashMap<>();
  private final Histogram upstreamLatencyFamily;
  private final Map<UpstreamName, Map<UpstreamCall, DistributionDataPoint>> upstreamLatency =
      new ConcurrentHashMap<>();
  private final Counter upstreamErrors;
  private final Counter evictions;
  private final Counter evictedBytes;
  private final Map<String, CounterDataPoint> corruptions = new ConcurrentHashMap<>();
  private final CounterDataPoint[] uncached = new CounterDataPoint[Uncached.values().length];
  private final Map<String, RateLimit> rateLimits = new ConcurrentHashMap<>();
  private final Counter upstreamPulls;
  private final Counter upstreamHeads;

  private volatile Supplier<StoreUsage> storeUsage = () -> null;
  private volatile StoreUsage scrapedUsage;
  private volatile LongSupplier storeCap;
  private volatile IntSupplier fillsRunning;
  private volatile IntSupplier streamsRunning;
  private volatile Supplier<Map<String, Integer>> clusterMembers = Map::of;
  private volatile Supplier<List<RecentEviction>> recentEvictions = List::of;
  private volatile LongSupplier imagePulls;

  /** What an upstream last said of its rate limit; negative while it said nothing. */
  private record RateLimit(LongSupplier limit, LongSupplier remaining, LongSupplier budgetState) {}

  /** A node's metrics, all at zero; nodes get theirs through {@link #get}. */
  public NodeMetrics() {
    requests = counter("layercake_http_requests_total",
        "HTTP requests answered by this node, by endpoint and status code.", "endpoint", "code");
    Histogram duration = Histogram.builder().name("layercake_http_request_duration_seconds")
        .help("Time from a request's arrival until its response headers are ready (a blob body streams"
            + " on after that), by endpoint.")
        .classicOnly().classicUpperBounds(REQUEST_BUCKETS).labelNames("endpoint").register(registry);
    for (Endpoint endpoint : Endpoint.values()) {
      requestsByStatus.put(endpoint, new AtomicReferenceArray<>(MAX_STATUS));
      requestDuration.put(endpoint, duration.labelValues(label(endpoint)));
    }
    Counter served = counter("layercake_served_bytes_total",
        "Response body bytes sent: blob and manifest to clients, internal to other nodes.", "endpoint");
    for (Endpoint endpoint : List.of(Endpoint.BLOB, Endpoint.MANIFEST, Endpoint.INTERNAL)) {
      // Resolved once, wrapped once: every response asks for it.
      CounterDataPoint bytes = served.labelValues(label(endpoint));
      servedBytes.put(endpoint, Optional.of(bytes::inc));
    }
    Counter hitFamily = counter("layercake_cache_hits_total",
        "Requests answered from the cache: blobs from a committed copy (this node's or the owner's),"
            + " manifests by tag without asking upstream.", "kind");
    Counter missFamily = counter("layercake_cache_misses_total",
        "Requests the cache could not answer from what it held: blobs served from a fill in"
            + " progress, manifests by tag revalidated or fetched upstream.", "kind");
    for (CacheKind kind : CacheKind.values()) {
      hits.put(kind, hitFamily.labelValues(label(kind)));
      misses.put(kind, missFamily.labelValues(label(kind)));
    }
    Counter fills = counter("layercake_blob_fills_started_total",
        "Blob fills started on this node, by where the bytes come from.", "source");
    for (FillSource source : FillSource.values()) {
      fillsStarted.put(source, fills.labelValues(label(source)));
    }
    coalesced = counter("layercake_blob_fill_coalesced_total",
        "Blob requests that joined a fill another request had started (single flight).");
    gauge("layercake_blob_fills_in_flight", "Blob fills running on this node now.",
        () -> count(fillsRunning));
    gauge("layercake_blob_streams_in_flight", "Blob response bodies this node is streaming now.",
        () -> count(streamsRunning));
    upstreamBlobBytesFamily = counter("layercake_upstream_blob_bytes_total",
        "Blob bytes received from upstream registries, by upstream.", "upstream");
    upstreamLatencyFamily = Histogram.builder().name("layercake_upstream_request_duration_seconds")
        .help("Upstream call latency, retries and redirects included: manifests until the body is read,"
            + " blobs until the response headers; by upstream and kind.")
        .classicOnly().classicUpperBounds(UPSTREAM_BUCKETS).labelNames("upstream", "kind").register(registry);
    upstreamErrors = counter("layercake_upstream_errors_total",
        "Upstream calls that failed, by upstream, kind and the OCI error code they failed with.",
        "upstream", "kind", "code");
    GaugeWithCallback.builder().name("layercake_upstream_ratelimit_remaining")
        .help("Pulls left in the upstream's rate-limit window (ratelimit-remaining), as last reported.")
        .labelNames("upstream")
        .callback(sample -> rateLimits.forEach((upstream, limit) -> report(sample, limit.remaining(), upstream)))
        .register(registry);
    GaugeWithCallback.builder().name("layercake_upstream_ratelimit_limit")
        .help("Pulls allowed per upstream rate-limit window (ratelimit-limit), as last reported.")
        .labelNames("upstream")
        .callback(sample -> rateLimits.forEach((upstream, limit) -> report(sample, limit.limit(), upstream)))
        .register(registry);
    GaugeWithCallback.builder().name("layercake_upstream_budget_state")
        .help("The upstream's pull budget: 0 ok, 1 below the reserve (prewarms paused, moved tags served"
            + " as cached), 2 none left as upstream reported (429 for what the cache lacks), 3 backing off"
            + " after upstream's 429.")
        .labelNames("upstream")
        .callback(sample -> rateLimits.forEach((upstream, limit) -> report(sample, limit.budgetState(), upstream)))
        .register(registry);
    upstreamPulls = counter("layercake_upstream_manifest_pulls_total",
        "Manifest GETs upstream answered, which count against a pull limit such as Docker Hub's, by upstream"
            + " and kind: user (a client's pull), prewarm (an operator's verb), refresh.",
        "upstream", "kind");
    upstreamHeads = counter("layercake_upstream_manifest_heads_total",
        "Manifest HEADs sent upstream, which count against no pull limit, by upstream and kind: user (a"
            + " client's pull revalidates a tag), prewarm, refresh (a hot tag's predictive refresh); a HEAD that"
            + " counts afresh before a GET near the end of a limit has the GET's kind.",
        "upstream", "kind");
    CounterWithCallback.builder().name("layercake_image_pulls_total")
        .help("Image pulls this node answered since it started: manifest requests by tag (GET or HEAD),"
            + " the count that `layercake images` sums over the cluster.")
        .callback(sample -> {
          if (imagePulls != null) {
            sample.call(imagePulls.getAsLong());
          }
        })
        .register(registry);
    evictions = counter("layercake_evictions_total", "Blobs evicted from this node, by reason.", "reason");
    evictedBytes = counter("layercake_evicted_bytes_total",
        "Bytes freed by eviction on this node, by reason.", "reason");
    gauge("layercake_store_bytes", "Bytes of committed blobs on this node.",
        () -> scrapedUsage == null ? -1 : scrapedUsage.bytes());
    gauge("layercake_store_blobs", "Committed blobs on this node.",
        () -> scrapedUsage == null ? -1 : scrapedUsage.blobs());
    Counter corrupted = counter("layercake_blob_corruptions_total",
        "Blob files that failed a check and were quarantined (never served again, fetched again on"
            + " their next request), by the check that found them: recovery (size at start-up, or the hash"
            + " of a file the index lacked), scrub (size and sha256 in the background), serve (size before"
            + " serving).", "found_by");
    for (String check : CORRUPTION_CHECKS) {
      corruptions.put(check, corrupted.labelValues(check));
    }
    Counter notStored = counter("layercake_uncached_total",
        "What the node served without storing, because its data volume was at"
            + " layercake.storage.min-free: blobs streamed from upstream, manifests kept in memory only,"
            + " tag answers not journaled.", "kind");
    for (Uncached kind : Uncached.values()) {
      uncached[kind.ordinal()] = notStored.labelValues(label(kind));
    }
    gauge("layercake_store_max_bytes", "The node's storage cap in bytes (absent while no cap is configured).",
        () -> storeCap == null ? -1 : storeCap.getAsLong());
    GaugeWithCallback.builder().name("layercake_cluster_members")
        .help("Members of the cluster as this node sees them, by status (up, joining, leaving, ...).")
        .labelNames("status")
        .callback(sample -> clusterMembers.get().forEach((status, count) -> sample.call(count, status)))
        .register(registry);
    Info build = Info.builder().name("layercake_build_info")
        .help("The layercake version and the Java runtime this node runs on.")
        .labelNames("version", "java").register(registry);
    String version = NodeMetrics.class.getPackage().getImplementationVersion();
    build.setLabelValues(version == null ? "development" : version, Runtime.version().toString());
    // Heap, direct buffers, GC, threads, file descriptors, CPU: what the memory claims rest on.
    JvmMetrics.builder().register(registry);
  }

  /** The metrics of the node running {@code system}. */
  public static NodeMetrics get(akka.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  /** The metrics of the node running {@code system}. */
  public static NodeMetrics get(ActorSystem system) {
    return ID.get(system);
  }

  /** Counts a request answered with {@code status}, {@code nanos} after it arrived. */
  public void requestAnswered(Endpoint endpoint, int status, long nanos) {
    AtomicReferenceArray<CounterDataPoint> byStatus = requestsByStatus.get(endpoint);
    int index = status >= 100 && status < MAX_STATUS ? status : 0;
    CounterDataPoint counter = byStatus.get(index);
    if (counter == null) {
      counter = requests.labelValues(label(endpoint), index == 0 ? "other" : Integer.toString(status));
      byStatus.set(index, counter);
    }
    counter.inc();
    requestDuration.get(endpoint).observe(nanos / 1e9);
  }

  /** What counts the body bytes sent for {@code endpoint}, if it is one whose bytes are counted. */
  public Optional<LongConsumer> servedBytes(Endpoint endpoint) {
    return servedBytes.getOrDefault(endpoint, Optional.empty());
  }

  /** Counts a request answered from the cache (see the definitions in the class notes). */
  public void cacheHit(CacheKind kind) {
    hits.get(kind).inc();
  }

  /** Counts a request the cache could not answer from what it held. */
  public void cacheMiss(CacheKind kind) {
    misses.get(kind).inc();
  }

  /** Hits so far. */
  public long hits(CacheKind kind) {
    return hits.get(kind).getLongValue();
  }

  /** Misses so far. */
  public long misses(CacheKind kind) {
    return misses.get(kind).getLongValue();
  }

  /** Counts a blob fill started on this node. */
  public void fillStarted(FillSource source) {
    fillsStarted.get(source).inc();
  }

  /** Counts requests that joined a fill already started for another request. */
  public void fillJoined(int requests) {
    coalesced.inc(requests);
  }

  /** Reads the number of fills running on this node from {@code running}. */
  public void fillsInFlight(IntSupplier running) {
    fillsRunning = Objects.requireNonNull(running, "running");
  }

  /** Reads the number of blob bodies streaming from {@code streaming}. */
  public void streamsInFlight(IntSupplier streaming) {
    streamsRunning = Objects.requireNonNull(streaming, "streaming");
  }

  /**
   * A configured upstream: its byte counter and latency series are exported from zero on, so that
   * a rate over the first fill is not lost.
   */
  public void upstreamConfigured(UpstreamName upstream) {
    blobBytesFrom(upstream);
    latencyOf(upstream);
  }

  /** Counts blob bytes received from {@code upstream}. */
  public void upstreamBlobBytes(UpstreamName upstream, long bytes) {
    blobBytesFrom(upstream).inc(bytes);
  }

  private CounterDataPoint blobBytesFrom(UpstreamName upstream) {
    return upstreamBlobBytes.computeIfAbsent(upstream, name -> upstreamBlobBytesFamily.labelValues(name.value()));
  }

  /** Records the latency of one call to {@code upstream}. */
  public void upstreamCallTook(UpstreamName upstream, UpstreamCall kind, long nanos) {
    latencyOf(upstream).get(kind).observe(nanos / 1e9);
  }

  private Map<UpstreamCall, DistributionDataPoint> latencyOf(UpstreamName upstream) {
    return upstreamLatency.computeIfAbsent(upstream, name -> {
      Map<UpstreamCall, DistributionDataPoint> byKind = new EnumMap<>(UpstreamCall.class);
      for (UpstreamCall each : UpstreamCall.values()) {
        byKind.put(each, upstreamLatencyFamily.labelValues(name.value(), label(each)));
      }
      return byKind;
    });
  }

  /** Counts a call to {@code upstream} that failed with {@code errorCode} (an OCI error code name). */
  public void upstreamCallFailed(UpstreamName upstream, UpstreamCall kind, String errorCode) {
    upstreamErrors.labelValues(upstream.value(), label(kind), errorCode).inc();
  }

  /**
   * Reads the rate limit {@code upstream} last reported; a supplier answering a negative number
   * means "not reported", and the sample is left out.
   */
  public void upstreamRateLimit(String upstream, LongSupplier limit, LongSupplier remaining,
      LongSupplier budgetState) {
    rateLimits.put(upstream, new RateLimit(limit, remaining, budgetState));
  }

  /** The kinds of manifest GET ({@code kinds}), exported at zero for {@code upstream} from now on. */
  public void upstreamPullKinds(UpstreamName upstream, List<? extends Enum<?>> kinds) {
    kinds.forEach(kind -> {
      upstreamPulls.labelValues(upstream.value(), label(kind));
      upstreamHeads.labelValues(upstream.value(), label(kind));
    });
  }

  /** Counts one manifest HEAD of {@code kind} sent to {@code upstream}. */
  public void upstreamHeaded(UpstreamName upstream, Enum<?> kind) {
    upstreamHeads.labelValues(upstream.value(), label(kind)).inc();
  }

  /** Counts one manifest GET of {@code kind} that {@code upstream} answered. */
  public void upstreamPulled(UpstreamName upstream, Enum<?> kind) {
    upstreamPulls.labelValues(upstream.value(), label(kind)).inc();
  }

  /**
   * The reasons a blob may be evicted for (short lower-case words, never client input), exported
   * at zero from now on so that dashboards show them before any eviction.
   */
  public void evictionReasons(List<String> reasons) {
    for (String reason : reasons) {
      evictions.labelValues(reason);
      evictedBytes.labelValues(reason);
    }
  }

  /** Counts one evicted blob, for one of the {@link #evictionReasons}. */
  public void evicted(String reason, long bytes) {
    evictions.labelValues(reason).inc();
    evictedBytes.labelValues(reason).inc(bytes);
  }

  /**
   * Counts a blob file that failed a check and was quarantined; {@code foundBy} is one of {@link
   * #CORRUPTION_CHECKS}.
   */
  public void blobCorrupted(String foundBy) {
    CounterDataPoint counter = corruptions.get(foundBy);
    if (counter == null) {
      throw new IllegalArgumentException("corruption check must be one of " + CORRUPTION_CHECKS + ", got " + foundBy);
    }
    counter.inc();
  }

  /** Counts something served without being stored, for want of disk space. */
  public void uncached(Uncached kind) {
    uncached[kind.ordinal()].inc();
  }

  /** Reads the store's usage from {@code usage} when scraped (counters kept by the store). */
  public void storeUsage(Supplier<StoreUsage> usage) {
    storeUsage = Objects.requireNonNull(usage, "usage");
  }

  /**
   * The store's usage now, if a supplier is set and it answers (a store being closed does not).
   */
  public Optional<StoreUsage> storeUsage() {
    try {
      return Optional.ofNullable(storeUsage.get());
    } catch (RuntimeException unavailable) {
      return Optional.empty();
    }
  }

  /** Reads the storage cap in bytes from {@code maxBytes}; until this is called, none is exported. */
  public void storeCap(LongSupplier maxBytes) {
    storeCap = Objects.requireNonNull(maxBytes, "maxBytes");
  }

  /** The storage cap in bytes, if one is set. */
  public OptionalLong storeCap() {
    LongSupplier cap = storeCap;
    if (cap == null) {
      return OptionalLong.empty();
    }
    long value = cap.getAsLong();
    return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /** Reads the cluster's members by status (lower-case, as Akka names them) from {@code byStatus}. */
  public void clusterMembers(Supplier<Map<String, Integer>> byStatus) {
    clusterMembers = Objects.requireNonNull(byStatus, "byStatus");
  }

  /** Reads the recent evictions shown on the status page from {@code recent}, newest first. */
  public void recentEvictions(Supplier<List<RecentEviction>> recent) {
    recentEvictions = Objects.requireNonNull(recent, "recent");
  }

  /** The recent evictions, newest first; empty until a supplier is set. */
  public List<RecentEviction> recentEvictions() {
    return List.copyOf(recentEvictions.get());
  }

  /** Reads the image pulls this node answered since it started from {@code sinceStart}. */
  public void imagePulls(LongSupplier sinceStart) {
    imagePulls = Objects.requireNonNull(sinceStart, "sinceStart");
  }

  /**
   * Every metric, in OpenMetrics if {@code accept} (a request's Accept header, or null) asks for
   * it, else in the Prometheus text format. Reads the store usage once, so call it on a thread
   * that may block.
   */
  public synchronized Exposition expose(String accept) {
    ExpositionFormatWriter writer = accept != null && OPEN_METRICS.accepts(accept) ? OPEN_METRICS : PROMETHEUS_TEXT;
    scrapedUsage = storeUsage().orElse(null);
    ByteArrayOutputStream out = new ByteArrayOutputStream(32 * 1024);
    try {
      writer.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Exposition(writer.getContentType(), out.toByteArray());
  }

  /** Every metric in the Prometheus text format. */
  public String scrape() {
    return new String(expose(null).body(), StandardCharsets.UTF_8);
  }

  private void gauge(String name, String help, LongSupplier value) {
    GaugeWithCallback.builder().name(name).help(help).callback(sample -> report(sample, value)).register(registry);
  }

  /** Reports {@code value} unless it is unknown: negative, or failing (a store being closed). */
  private static void report(GaugeWithCallback.Callback sample, LongSupplier value, String... labels) {
    long reading;
    try {
      reading = value.getAsLong();
    } catch (RuntimeException unavailable) {
      return;
    }
    if (reading >= 0) {
      sample.call(reading, labels);
    }
  }

  private static long count(IntSupplier running) {
    return running == null ? -1 : running.getAsInt();
  }

  /** Creates one instance per actor system. */
  private static final class Id extends AbstractExtensionId<NodeMetrics> {
    @Override
    public NodeMetrics createExtension(ExtendedActorSystem system) {
      return new NodeMetrics();
    }
  }

  private Counter counter(String name, String help, String... labelNames) {
    return Counter.builder().name(name).help(help).labelNames(labelNames).register(registry);
  }

  /** The label value of an enum constant: its name in lower case. */
  private static String label(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
