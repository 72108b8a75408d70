package io.layercake.blob;

import akka.NotUsed;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.UpstreamName;
import io.layercake.cluster.PeerClient;
import io.layercake.cluster.ReturningMembers;
import io.layercake.metrics.FillSource;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.BlobStore;
import io.layercake.storage.BlobWriter;
import io.layercake.storage.StorageException;
import io.layercake.upstream.Upstreams;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The fills running on this node. The owning {@link BlobEntity} decides when a fill starts (that
 * is the single flight); this registry is how HTTP requests on the same node find the growing
 * file to stream from, and where the node's caps on concurrent fills ({@link FillLimiter}) hold.
 */
public final class BlobFills {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(BlobFills.class);

  /** The dispatcher that file writes and reads run on. */
  public static final String BLOCKING_DISPATCHER = "layercake.blocking-io-dispatcher";

  /** How often a fill that waits for a returning member asks the peers again. */
  private static final Duration RETURNING_OWNER_POLL = Duration.ofSeconds(1);
  /** The digest of zero bytes: the one blob that may be empty. */
  private static final Digest EMPTY =
      Digest.parse("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

  private final Map<Digest, BlobFill> running = new ConcurrentHashMap<>();
  private final BlobStore store;
  private final Upstreams upstreams;
  private final PeerClient peers;
  private final ReturningMembers returning;
  private final BlobSettings settings;
  private final Executor blockingExecutor;
  private final FileRangeSource fileReads;
  private final Materializer materializer;
  private final NodeMetrics metrics;
  private final FillLimiter limiter;
  private volatile FillListener onFilled = (upstream, repository, digest, size) -> { };

  /** Hears of every blob filled from upstream and committed on this node. */
  @FunctionalInterface
  public interface FillListener {
    /** {@code digest} of {@code upstream}'s {@code repository}, {@code size} bytes, is stored. */
    void filled(UpstreamName upstream, RepositoryName repository, Digest digest, long size);
  }

  /**
   * A registry that fills {@code store} from a peer, or from {@code upstreams}, after waiting for a
   * member in {@code returning} that left gracefully with the blob's shard.
   */
  public BlobFills(BlobStore store, Upstreams upstreams, PeerClient peers, ReturningMembers returning,
      BlobSettings settings, Executor blockingExecutor, Materializer materializer) {
    this.returning = returning;
    this.store = store;
    this.upstreams = upstreams;
    this.peers = peers;
    this.settings = settings;
    this.blockingExecutor = blockingExecutor;
    this.fileReads = new FileRangeSource(settings.newReadBudget(), blockingExecutor);
    this.materializer = materializer;
    this.metrics = NodeMetrics.get(materializer.system());
    this.limiter = FillLimiter.of(settings);
  }

  /** Tells {@code listener} of every fill from upstream committed from now on; replaces any earlier one. */
  public void onFilled(FillListener listener) {
    this.onFilled = listener;
  }

  /** The settings of blob serving and filling. */
  public BlobSettings settings() {
    return settings;
  }

  /*
   * The collaborators below are for the blob package's own classes (BlobEntity, BlobFinder);
   * other packages reach them through BlobFinder or are given them, never through the fills.
   */

  /** This node's view of its peers. */
  PeerClient peers() {
    return peers;
  }

  /** The store the fills commit to. */
  BlobStore store() {
    return store;
  }

  /** Reads of blob files, within the node's read budget. */
  FileRangeSource fileReads() {
    return fileReads;
  }

  /** The executor for blocking file work. */
  Executor blockingExecutor() {
    return blockingExecutor;
  }

  /** How many fills are running on this node. */
  public int runningCount() {
    return running.size();
  }

  /** The digests being filled on this node now. */
  public Set<Digest> runningDigests() {
    return Set.copyOf(running.keySet());
  }

  /** The fill of {@code digest} running on this node, if any. */
  public Optional<BlobFill> running(Digest digest) {
    return Optional.ofNullable(running.get(digest));
  }

  /**
   * Asks {@code upstream}, with a HEAD, whether it holds the blob in {@code repository}: its size,
   * or BLOB_UNKNOWN. Nothing is fetched and nothing is stored.
   */
  public CompletionStage<Long> headUpstream(UpstreamName upstream, RepositoryName repository, Digest digest) {
    return upstreams.get(upstream).headBlob(repository, digest);
  }

  /**
   * Starts filling the blob from a peer that holds it or, if none does, from upstream, once the
   * node's caps on concurrent fills allow (see {@link FillLimiter}). Completes when the fill has
   * started (not when it is done), or fails with the upstream's error, or with UNAVAILABLE and
   * Retry-After when no place became free in time. The place is held until the fill ends.
   */
  public CompletionStage<BlobFill> start(UpstreamName upstream, RepositoryName repository, Digest digest) {
    if (store.space().low()) {
      return CompletableFuture.failedFuture(new NoRoomToStore("the data volume is at layercake.storage.min-free"));
    }
    if (store.capHeld()) {
      return CompletableFuture.failedFuture(new NoRoomToStore(
          "the store is over layercake.storage.max-size with only pinned or in-use blobs left"));
    }
    return limiter.acquire(upstream).thenCompose(permit -> {
      CompletionStage<BlobFill> started;
      try {
        started = startFill(upstream, repository, digest);
      } catch (RuntimeException e) {
        started = CompletableFuture.failedFuture(e);
      }
      return started.whenComplete((fill, error) -> {
        if (error != null) {
          permit.release();
        } else {
          fill.completion().whenComplete((stored, failed) -> permit.release());
        }
      });
    });
  }

  private CompletionStage<BlobFill> startFill(UpstreamName upstream, RepositoryName repository, Digest digest) {
    return find(upstream, repository, digest, 0).thenApplyAsync(found -> {
      Source<ByteString, NotUsed> body = found.source() == FillSource.PEER
          ? ContinuedCopy.of(found.body(), ContinuedCopy.MAX_CONTINUATIONS,
              offset -> find(upstream, repository, digest, offset).thenApply(rest -> {
                if (rest.size() != found.size()) {
                  rest.discard().run();
                  throw new IllegalStateException(rest.source() + " announced " + rest.size()
                      + " bytes for " + digest + " where the copy began with " + found.size());
                }
                log.info("Continuing the copy of {} at byte {} from {}: the peer it came from stopped sending",
                    digest, offset, rest.source());
                return rest.body();
              }))
          : found.body();
      BlobFill fill = counted(found.source(), begin(digest, found.size(), body, found.discard()));
      if (found.source() == FillSource.UPSTREAM) {
        fill.completion().thenAccept(stored -> onFilled.filled(upstream, repository, digest, stored.size()));
      }
      return fill;
    }, blockingExecutor);
  }

  /**
   * The best source of the blob's bytes from {@code offset} on: a peer that holds a committed
   * copy; else, while a member that left gracefully may bring it back, that member once it is
   * back; else upstream (whose whole body is fetched and verified, and its first {@code offset}
   * bytes skipped).
   */
  private CompletionStage<Supply> find(UpstreamName upstream, RepositoryName repository, Digest digest, long offset) {
    return peers.blobFromPeers(digest, offset).thenCompose(fromPeer -> {
      if (fromPeer.isPresent()) {
        PeerClient.PeerBlob blob = fromPeer.get();
        return CompletableFuture.completedFuture(
            new Supply(FillSource.PEER, blob.size(), blob.body(), blob.discard()));
      }
      if (returning.awaitedOwner(digest).isPresent()) {
        // Its owner left gracefully and is most likely on its way back with the bytes: ask the
        // peers again shortly rather than spend an upstream pull (see cluster.ReturningMembers).
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(
                RETURNING_OWNER_POLL.toMillis(), TimeUnit.MILLISECONDS))
            .thenCompose(ignored -> find(upstream, repository, digest, offset));
      }
      log.info("Filling {} from upstream {}: no other node holds it", digest, upstream);
      return upstreams.get(upstream).fetchBlob(repository, digest).thenApply(response ->
          new Supply(FillSource.UPSTREAM, response.size(),
              ContinuedCopy.skip(response.body().map(chunk -> countUpstreamBytes(upstream, chunk)), offset), response::discard));
    });
  }

  /** Where a fill's bytes come from: {@code size} is the whole blob's, {@code body} the rest's. */
  private record Supply(FillSource source, long size, Source<ByteString, NotUsed> body,
      Runnable discard) {}

  /**
   * The blob straight from upstream, for a client, stored nowhere: when the owner has no room for
   * it. The body is verified as it streams (length and sha256), so a client never receives a
   * complete body that is not the blob; it holds a fill place until it ends, so that a full disk
   * does not lift the caps on upstream traffic.
   */
  public CompletionStage<UncachedBlob> streamThrough(UpstreamName upstream, RepositoryName repository, Digest digest) {
    return limiter.acquire(upstream).thenCompose(permit -> upstreams.get(upstream).fetchBlob(repository, digest)
        .whenComplete((blob, error) -> {
          if (error != null) {
            permit.release();
          }
        })
        .thenApply(blob -> {
          metrics.uncached(NodeMetrics.Uncached.BLOB);
          Source<ByteString, NotUsed> body = blob.body()
              .map(chunk -> countUpstreamBytes(upstream, chunk))
              .watchTermination((notUsed, done) -> {
                done.whenComplete((ok, failed) -> permit.release());
                return notUsed;
              });
          return new UncachedBlob(blob.size(), body, () -> {
            blob.discard();
            permit.release();
          });
        }));
  }

  private BlobFill counted(FillSource source, BlobFill fill) {
    metrics.fillStarted(source);
    return fill;
  }

  private ByteString countUpstreamBytes(UpstreamName upstream, ByteString chunk) {
    metrics.upstreamBlobBytes(upstream, chunk.size());
    return chunk;
  }

  private BlobFill begin(Digest digest, long size, Source<ByteString, NotUsed> body, Runnable discard) {
    if (size == 0 && !digest.equals(EMPTY)) {
      // Only one blob is empty; anything else announced as empty is broken, and an empty
      // response would complete before the digest could be checked.
      discard.run();
      throw new OciException(ErrorCode.DIGEST_INVALID, "upstream announced an empty blob",
          digest + " is not the digest of empty content");
    }
    if (!store.space().fits(size)) {
      discard.run();
      throw new NoRoomToStore("a blob of " + size + " bytes does not fit above layercake.storage.min-free");
    }
    BlobWriter writer;
    BlobFill fill;
    try {
      writer = store.newWriter(digest, size);
    } catch (StorageException e) {
      discard.run();
      throw new NoRoomToStore("its temp file cannot be written: " + e.getMessage());
    } catch (RuntimeException e) {
      discard.run();
      throw e;
    }
    try {
      fill = BlobFill.start(digest, size, body, writer, settings.fillTimeout(),
          BLOCKING_DISPATCHER, blockingExecutor, fileReads, materializer);
    } catch (RuntimeException e) {
      writer.abort();
      discard.run();
      throw e;
    }
    running.put(digest, fill);
    fill.completion().whenComplete((stored, error) -> running.remove(digest, fill));
    return fill;
  }
}
