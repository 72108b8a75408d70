package io.layercake.eviction;

import io.layercake.oci.Digest;
import io.layercake.storage.BlobRecord;
import io.layercake.storage.BlobStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Size: each node caps its own blob bytes (layercake.storage.max-size). The store keeps a running
 * total in step with every commit and delete (BlobStore.usedBytes), so checking the cap is two
 * atomic reads. A fill's bytes count as they are written (BlobStore.onSpaceWanted, on every
 * write), and stay counted (BlobStore.pendingBytes) until the fill commits or aborts, so a blob is
 * counted exactly once whether a run starts before or after its commit. If used + pending passes
 * the high-water mark, a run evicts until used + pending is at or below the low-water mark. Room
 * is therefore made while the new blob is still downloading, and the store exceeds the cap by at
 * most what fills write during one run. A pull is never refused or delayed for space: eviction
 * runs beside it, and if nothing is evictable (everything pinned or in use) the store simply
 * stays over the cap until something is. A periodic check (every NodeEviction.CHECK_INTERVAL)
 * catches what writes miss, such as a lowered cap.
 *
 * Held cap: when a run ends with the store over the cap itself (not only over low water) and
 * nothing left that it may evict, it marks the store's cap held (BlobStore.capHeld), and fills
 * then serve new blobs without storing them (streamed through, like on a full disk) rather than
 * push the store further over its cap. Any check that finds the store under high water, or a run
 * that gets it under the cap, lifts the mark; the periodic check does so within its interval
 * after an unpin or rmi.
 *
 * Reservations: only bytes on disk are ever counted, never the size a fill announces. Counting
 * the announced size up front (as this class once did) let a burst of fills that were never going
 * to finish (HEADs that started fills, upstreams that announce more than they send) evict the
 * whole cache for bytes that never came. Now eviction frees no more than fills have written, and
 * a fill that fails or is abandoned stops counting the moment its writer aborts.
 *
 * Order: blobs of shards this node no longer owns first (after a join they are copies that the
 * new owner has fetched or will fetch from us; evicting them loses nothing cluster-wide), then
 * least recently used by lastAccess (updated on every served blob, BlobStore.findForPull). Ties
 * break on digest, so a run is deterministic.
 *
 * Cost: there is no separate LRU structure. A run scans the index (a RocksDB iteration, about a
 * second per million blobs) and sorts the candidates. The gap between the high- and low-water
 * marks amortises it: one run frees (high - low) x max-size, so with the defaults a run happens
 * once per 10 % of the cap written. Access-time updates on the hot path stay one index write
 * instead of two (an LRU column family would need the old key deleted and a new one written).
 * Access times are written without fsync, so a crash can make the order slightly stale; that
 * costs precision, never correctness: an evicted blob is fetched again on its next pull.
 *
 * Never evicted: a pinned blob (PinStore), a blob whose bytes are being served (a reader lease,
 * BlobStore.lease, held from lookup to the end of the body, including bodies streamed to peers),
 * and a blob being filled (the fill writes to tmp/ and is not in the index until committed; the
 * busy predicate also covers the moment between commit and the fill's deregistration). The lease
 * check and the unlink are one atomic step per digest (BlobStore.delete), so a reader cannot
 * start between them.
 *
 * Concurrency: at most one run at a time per node (the running flag); a request that arrives
 * during a run sets `again`, and the run repeats once. Runs execute on the blocking-IO executor,
 * never on an actor or HTTP thread. Deletions are crash-safe by BlobStore.delete's order (unlink,
 * then the index entry; recovery drops index entries without files).
 */

/**
 * A node's eviction policy: keeps the store under its size cap, removes blobs on behalf of the
 * cache verbs and age rules, and tells of every eviction: the node's metrics count them by
 * reason ({@link #onEviction}), the status page lists the last ones ({@link #recent()}).
 */
public final class Evictor {

  private static final Logger log = LoggerFactory.getLogger(Evictor.class);

  private final BlobStore store;
  private final EvictionSettings settings;
  private final PinStore pins;
  private final Predicate<Digest> busy;
  private final Predicate<Digest> ownedHere;
  private final Executor blockingExecutor;
  private final Clock clock;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final Deque<Eviction> recent = new ArrayDeque<>();
  private volatile Consumer<Eviction> listener = eviction -> { };

  /**
   * An evictor for {@code store}.
   *
   * @param busy whether a blob is being filled or served (beyond reader leases, which the store
   *     checks itself)
   * @param ownedHere whether this node owns the blob's shard
   */
  public Evictor(BlobStore store, EvictionSettings settings, PinStore pins, Predicate<Digest> busy,
      Predicate<Digest> ownedHere, Executor blockingExecutor, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.pins = pins;
    this.busy = busy;
    this.ownedHere = ownedHere;
    this.blockingExecutor = blockingExecutor;
    this.clock = clock;
    store.onSpaceWanted(this::spaceWanted);
  }

  /** The cap on this node's blob bytes. */
  public long maxSize() {
    return settings.maxSize();
  }

  /** This node's blob bytes now. */
  public long usedBytes() {
    return store.usedBytes();
  }

  /** The settings in force. */
  public EvictionSettings settings() {
    return settings;
  }

  /** The node's pins. */
  public PinStore pins() {
    return pins;
  }

  /** Whether a blob is being filled or served on this node now. */
  public boolean isBusy(Digest digest) {
    return busy.test(digest) || store.isLeased(digest);
  }

  /** Tells {@code listener} of every eviction from now on (the node's metrics); replaces any earlier one. */
  public void onEviction(Consumer<Eviction> listener) {
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /** The last evictions on this node, newest first (at most {@code recent-evictions}). */
  public List<Eviction> recent() {
    synchronized (recent) {
      return List.copyOf(recent);
    }
  }

  /** Starts a run if the store is over its high-water mark; returns at once. */
  public void check() {
    spaceWanted(0);
  }

  private void spaceWanted(long written) {
    if (usage() <= settings.highWaterBytes()) {
      if (store.capHeld()) {
        store.markCapHeld(false);
      }
      return;
    }
    if (!running.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    blockingExecutor.execute(this::run);
  }

  private void run() {
    try {
      do {
        again.set(false);
        evictToLowWater();
      } while (again.get() && usage() > settings.lowWaterBytes());
    } catch (RuntimeException e) {
      log.error("Eviction run failed; the next fill or check retries it", e);
    } finally {
      running.set(false);
    }
    if (again.get()) {
      // A request arrived between the loop's last look and the flag's reset.
      spaceWanted(0);
    }
  }

  /** Committed bytes plus the bytes of fills still writing. */
  private long usage() {
    return store.usedBytes() + store.pendingBytes();
  }

  /** One run: evicts in policy order until used + pending is at or below the low-water mark. */
  void evictToLowWater() {
    long target = settings.lowWaterBytes();
    if (usage() <= target) {
      return;
    }
    List<Candidate> candidates = candidates();
    int skipped = 0;
    for (Candidate candidate : candidates) {
      if (usage() <= target) {
        break;
      }
      if (isBusy(candidate.digest()) || pins.isPinned(candidate.digest())) {
        skipped++;
        continue;
      }
      remove(candidate.digest(), candidate.notOwner() ? EvictionReason.NOT_OWNER : EvictionReason.SIZE, false);
    }
    store.markCapHeld(usage() > settings.maxSize());
    if (usage() > target) {
      log.warn("Store holds {} bytes with {} more being written, above the {} bytes eviction aims for:"
          + " the rest is pinned or in use ({} blobs skipped)", store.usedBytes(), store.pendingBytes(), target,
          skipped);
    }
  }

  /** Every indexed blob in eviction order: not owned here first, then least recently used. */
  List<Candidate> candidates() {
    List<Candidate> candidates = new ArrayList<>();
    store.index().forEach((digest, record) ->
        candidates.add(new Candidate(digest, record, !ownedHere.test(digest))));
    candidates.sort(EVICTION_ORDER);
    return candidates;
  }

  /** Eviction order: not-owned before owned, then older access first, then digest. */
  static final Comparator<Candidate> EVICTION_ORDER = Comparator
      .comparing((Candidate c) -> !c.notOwner())
      .thenComparingLong(c -> c.record().lastAccess())
      .thenComparing(c -> c.digest().toString());

  /**
   * A blob that eviction may consider.
   *
   * @param digest the blob
   * @param record its index record
   * @param notOwner whether its shard belongs to another node
   */
  record Candidate(Digest digest, BlobRecord record, boolean notOwner) {}

  /**
   * Removes one blob now, unless it is pinned or in use (then nothing happens unless {@code force},
   * which still spares a blob being filled: it has no file yet). Blocking: call it on the
   * blocking-IO executor.
   *
   * @return the outcome
   */
  public Outcome remove(Digest digest, EvictionReason reason, boolean force) {
    if (!force && pins.isPinned(digest)) {
      return Outcome.PINNED;
    }
    if (!force && busy.test(digest)) {
      return Outcome.IN_USE;
    }
    BlobStore.Deletion deletion = store.delete(digest, force);
    switch (deletion.outcome()) {
      case IN_USE:
        return Outcome.IN_USE;
      case ABSENT:
        return Outcome.ABSENT;
      default:
        record(new Eviction(digest, deletion.bytesFreed(), reason, Instant.now(clock)));
        return Outcome.DELETED;
    }
  }

  /** What {@link #remove} did. */
  public enum Outcome {
    /** Deleted. */
    DELETED,
    /** This node does not hold the blob. */
    ABSENT,
    /** Pinned: kept. */
    PINNED,
    /** Being served or filled: kept. */
    IN_USE
  }

  private void record(Eviction eviction) {
    synchronized (recent) {
      recent.addFirst(eviction);
      while (recent.size() > settings.recentEvictions()) {
        recent.removeLast();
      }
    }
    log.debug("Evicted {} ({} bytes, {})", eviction.digest(), eviction.size(), eviction.reason().label());
    listener.accept(eviction);
  }
}
