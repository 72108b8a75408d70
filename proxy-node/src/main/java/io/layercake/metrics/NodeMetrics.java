package io.layercake.metrics;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.typed.javadsl.Adapter;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/*
 * Implementation notes
 *
 * One instance per node, reached as an Akka extension (one per actor system): the components that
 * report (the HTTP endpoints, the blob entity, the upstream client, eviction) can find it from
 * the actor system they already hold, and several nodes in one test JVM keep separate numbers.
 *
 * Hot paths never look a label up: every counter they touch is resolved once, here (arrays by
 * enum ordinal, and by status code for requests), and counting is one LongAdder add. Bytes are
 * added per chunk (a blob read, 64 KiB to 2 MiB), which at 2 GB/s is at most tens of thousands of
 * adds a second.
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

  /** Eviction reasons exported at zero from start-up, so dashboards show them before any eviction. */
  public static final List<String> EVICTION_REASONS =
      List.of("size", "not-owner", "unused-for", "max-age", "prune", "rmi");

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
    TAG;

    private final String label = name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Upper bounds of the upstream latency buckets, in seconds. */
  private static final double[] LATENCY_BUCKETS =
      {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
  private static final Pattern REASON = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final int MAX_STATUS = 600;
  private static final Id ID = new Id();

  private final MetricRegistry registry = new MetricRegistry();
  private final CounterFamily requests;
  private final Map<Endpoint, AtomicReferenceArray<Counter>> requestsByStatus = new EnumMap<>(Endpoint.class);
  private final Map<Endpoint, Counter> servedBytes = new EnumMap<>(Endpoint.class);
  private final Map<CacheKind, Counter> hits = new EnumMap<>(CacheKind.class);
  private final Map<CacheKind, Counter> misses = new EnumMap<>(CacheKind.class);
  private final Map<FillSource, Counter> fillsStarted = new EnumMap<>(FillSource.class);
  private final Counter coalesced;
  private final Counter upstreamBlobBytes;
  private final Map<UpstreamCall, Histogram> upstreamLatency = new EnumMap<>(UpstreamCall.class);
  private final CounterFamily upstreamErrors;
  private final GaugeFamily rateLimitRemaining;
  private final GaugeFamily rateLimitLimit;
  private final CounterFamily evictions;
  private final CounterFamily evictedBytes;
  private final GaugeFamily fillsInFlight;
  private final GaugeFamily streamsInFlight;
  private final GaugeFamily storeMaxBytes;
  private final Map<String, Counter> corruptions = new HashMap<>();
  private final Counter[] uncached = new Counter[Uncached.values().length];
  private final TagPulls tagPulls = new TagPulls();

  private volatile Supplier<StoreUsage> storeUsage = () -> null;
  private volatile StoreUsage scrapedUsage;
  private volatile LongSupplier storeCap;
  private volatile Supplier<List<RecentEviction>> recentEvictions = List::of;

  /** A node's metrics, all at zero; nodes get theirs through {@link #get}. */
  public NodeMetrics() {
    requests = registry.counter("layercake_http_requests_total",
        "HTTP requests answered by this node, by endpoint and status code.", "endpoint", "code");
    for (Endpoint endpoint : Endpoint.values()) {
      requestsByStatus.put(endpoint, new AtomicReferenceArray<>(MAX_STATUS));
    }
    CounterFamily served = registry.counter("layercake_served_bytes_total",
        "Response body bytes sent: blob and manifest to clients, internal to other nodes.", "endpoint");
    for (Endpoint endpoint : List.of(Endpoint.BLOB, Endpoint.MANIFEST, Endpoint.INTERNAL)) {
      servedBytes.put(endpoint, served.labels(endpoint.label()));
    }
    CounterFamily hitFamily = registry.counter("layercake_cache_hits_total",
        "Requests answered from the cache: blobs from a committed copy (this node's or the owner's),"
            + " manifests by tag without asking upstream.", "kind");
    CounterFamily missFamily = registry.counter("layercake_cache_misses_total",
        "Requests the cache could not answer from what it held: blobs served from a fill in"
            + " progress, manifests by tag revalidated or fetched upstream.", "kind");
    for (CacheKind kind : CacheKind.values()) {
      hits.put(kind, hitFamily.labels(kind.label()));
      misses.put(kind, missFamily.labels(kind.label()));
    }
    CounterFamily fills = registry.counter("layercake_blob_fills_started_total",
        "Blob fills started on this node, by where the bytes come from.", "source");
    for (FillSource source : FillSource.values()) {
      fillsStarted.put(source, fills.labels(source.label()));
    }
    coalesced = registry.counter("layercake_blob_fill_coalesced_total",
        "Blob requests that joined a fill another request had started (single flight).").labels();
    fillsInFlight = registry.gauge("layercake_blob_fills_in_flight", "Blob fills running on this node now.");
    streamsInFlight = registry.gauge("layercake_blob_streams_in_flight",
        "Blob response bodies this node is streaming now.");
    upstreamBlobBytes = registry.counter("layercake_upstream_blob_bytes_total",
        "Blob bytes received from upstream registries.").labels();
    HistogramFamily latency = registry.histogram("layercake_upstream_request_duration_seconds",
        "Upstream call latency, retries and redirects included: manifests until the body is read,"
            + " blobs until the response headers.", LATENCY_BUCKETS, "kind");
    for (UpstreamCall kind : UpstreamCall.values()) {
      upstreamLatency.put(kind, latency.labels(kind.label()));
    }
    upstreamErrors = registry.counter("layercake_upstream_errors_total",
        "Upstream calls that failed, by kind and the OCI error code they failed with.", "kind", "code");
    rateLimitRemaining = registry.gauge("layercake_upstream_ratelimit_remaining",
        "Pulls left in the upstream's rate-limit window (ratelimit-remaining), as last reported.",
        "upstream");
    rateLimitLimit = registry.gauge("layercake_upstream_ratelimit_limit",
        "Pulls allowed per upstream rate-limit window (ratelimit-limit), as last reported.", "upstream");
    evictions = registry.counter("layercake_evictions_total", "Blobs evicted from this node, by reason.",
        "reason");
    evictedBytes = registry.counter("layercake_evicted_bytes_total",
        "Bytes freed by eviction on this node, by reason.", "reason");
    for (String reason : EVICTION_REASONS) {
      evictions.labels(reason);
      evictedBytes.labels(reason);
    }
    registry.gauge("layercake_store_bytes", "Bytes of committed blobs on this node.")
        .register(() -> scrapedUsage == null ? Double.NaN : scrapedUsage.bytes());
    registry.gauge("layercake_store_blobs", "Committed blobs on this node.")
        .register(() -> scrapedUsage == null ? Double.NaN : scrapedUsage.blobs());
    CounterFamily corrupted = registry.counter("layercake_blob_corruptions_total",
        "Blob files that failed a check and were quarantined (never served again, fetched again on their"
            + " next request), by the check that found them: recovery (size at start-up, or the hash of a file"
            + " the index lacked), scrub (size and sha256 in the background), serve (size before serving).",
        "found_by");
    for (String check : CORRUPTION_CHECKS) {
      corruptions.put(check, corrupted.labels(check));
    }
    CounterFamily notStored = registry.counter("layercake_uncached_total",
        "What the node served without storing, because its data volume was at layercake.storage.min-free:"
            + " blobs streamed from upstream, manifests kept in memory only, tag answers not journaled.",
        "kind");
    for (Uncached kind : Uncached.values()) {
      uncached[kind.ordinal()] = notStored.labels(kind.label);
    }
    storeMaxBytes = registry.gauge("layercake_store_max_bytes",
        "The node's storage cap in bytes (absent while no cap is configured).");
  }

  /** The metrics of the node running {@code system}. */
  public static NodeMetrics get(akka.actor.typed.ActorSystem<?> system) {
    return get(Adapter.toClassic(system));
  }

  /** The metrics of the node running {@code system}. */
  public static NodeMetrics get(ActorSystem system) {
    return ID.get(system);
  }

  /** Counts a request answered with {@code status}. */
  public void requestAnswered(Endpoint endpoint, int status) {
    AtomicReferenceArray<Counter> byStatus = requestsByStatus.get(endpoint);
    int index = status >= 100 && status < MAX_STATUS ? status : 0;
    Counter counter = byStatus.get(index);
    if (counter == null) {
      counter = requests.labels(endpoint.label(), index == 0 ? "other" : Integer.toString(status));
      byStatus.set(index, counter);
    }
    counter.increment();
  }

  /** The counter of body bytes sent for {@code endpoint}, if it is one whose bytes are counted. */
  public Optional<Counter> servedBytes(Endpoint endpoint) {
    return Optional.ofNullable(servedBytes.get(endpoint));
  }

  /** Counts a request answered from the cache (see the definitions in the class notes). */
  public void cacheHit(CacheKind kind) {
    hits.get(kind).increment();
  }

  /** Counts a request the cache could not answer from what it held. */
  public void cacheMiss(CacheKind kind) {
    misses.get(kind).increment();
  }

  /** Hits so far. */
  public long hits(CacheKind kind) {
    return hits.get(kind).value();
  }

  /** Misses so far. */
  public long misses(CacheKind kind) {
    return misses.get(kind).value();
  }

  /** Counts a blob fill started on this node. */
  public void fillStarted(FillSource source) {
    fillsStarted.get(source).increment();
  }

  /** Counts requests that joined a fill already started for another request. */
  public void fillJoined(int requests) {
    coalesced.add(requests);
  }

  /** Reads the number of fills running on this node from {@code running}. */
  public void fillsInFlight(IntSupplier running) {
    fillsInFlight.register(running::getAsInt);
  }

  /** Reads the number of blob bodies streaming from {@code streaming}. */
  public void streamsInFlight(IntSupplier streaming) {
    streamsInFlight.register(streaming::getAsInt);
  }

  /** The counter of blob bytes received from upstream. */
  public Counter upstreamBlobBytes() {
    return upstreamBlobBytes;
  }

  /** Records one upstream call's latency. */
  public void upstreamCallTook(UpstreamCall kind, long nanos) {
    upstreamLatency.get(kind).observeNanos(nanos);
  }

  /** Counts an upstream call that failed with {@code errorCode} (an OCI error code name). */
  public void upstreamCallFailed(UpstreamCall kind, String errorCode) {
    upstreamErrors.labels(kind.label(), errorCode).increment();
  }

  /**
   * Reads the rate limit {@code upstream} last reported; a supplier answering a negative number
   * means "not reported", and the sample is left out.
   */
  public void upstreamRateLimit(String upstream, LongSupplier limit, LongSupplier remaining) {
    rateLimitLimit.register(() -> orNaN(limit.getAsLong()), upstream);
    rateLimitRemaining.register(() -> orNaN(remaining.getAsLong()), upstream);
  }

  /**
   * Counts one evicted blob. {@code reason} is a short lower-case word from a small fixed set
   * ({@link #EVICTION_REASONS}; never client input).
   */
  public void evicted(String reason, long bytes) {
    if (reason == null || !REASON.matcher(reason).matches()) {
      throw new IllegalArgumentException("eviction reason must be a short lower-case word, got " + reason);
    }
    evictions.labels(reason).increment();
    evictedBytes.labels(reason).add(bytes);
  }

  /**
   * Counts a blob file that failed a check and was quarantined; {@code foundBy} is one of {@link
   * #CORRUPTION_CHECKS}.
   */
  public void blobCorrupted(String foundBy) {
    Counter counter = corruptions.get(foundBy);
    if (counter == null) {
      throw new IllegalArgumentException("corruption check must be one of " + CORRUPTION_CHECKS + ", got " + foundBy);
    }
    counter.increment();
  }

  /** Counts something served without being stored, for want of disk space. */
  public void uncached(Uncached kind) {
    uncached[kind.ordinal()].increment();
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
    storeMaxBytes.register(() -> orNaN(maxBytes.getAsLong()));
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

  /** Reads the recent evictions shown on the status page from {@code recent}, newest first. */
  public void recentEvictions(Supplier<List<RecentEviction>> recent) {
    recentEvictions = Objects.requireNonNull(recent, "recent");
  }

  /** The recent evictions, newest first; empty until a supplier is set. */
  public List<RecentEviction> recentEvictions() {
    return List.copyOf(recentEvictions.get());
  }

  /** Pulls per image tag since start, for the status page (not exported: unbounded labels). */
  public TagPulls tagPulls() {
    return tagPulls;
  }

  /**
   * Every metric in the Prometheus text format. Reads the store usage once (it may scan the
   * index), so call it on a thread that may block.
   */
  public synchronized String scrape() {
    scrapedUsage = storeUsage().orElse(null);
    return registry.scrape();
  }

  /** The Content-Type of {@link #scrape()}. */
  public static String contentType() {
    return MetricRegistry.contentType();
  }

  private static double orNaN(long value) {
    return value < 0 ? Double.NaN : value;
  }

  /** Creates one instance per actor system. */
  private static final class Id extends AbstractExtensionId<NodeMetrics> {
    @Override
    public NodeMetrics createExtension(ExtendedActorSystem system) {
      return new NodeMetrics();
    }
  }
}
