package io.layercake.storage;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import io.layercake.oci.Digest;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * What: every committed blob is read again and checked against its index entry (size) and its
 * digest (sha256), so that a file that rotted after its commit (a bit flip keeps the size, which
 * start-up and lookups check) is found before a client is served it for long. A blob that fails is
 * quarantined by the store (BlobStore.quarantine): unindexed, never served again, refetched on its
 * next request, counted and logged.
 *
 * Rate: a step reads one slice (a tenth of a second's worth at the configured rate, between 64 KiB
 * and 4 MiB; a large blob takes many steps), then the next step is scheduled after
 * bytes read / rate. The average therefore never exceeds the rate (reading only adds time), and
 * between steps the scrub holds no thread: a step occupies one thread of the blocking-IO
 * dispatcher for the few milliseconds a slice takes, so fills and lookups never queue behind it.
 * A step opens at most 64 blobs, so a store of tiny blobs yields between steps too. Its page
 * cache use is the one cost left: reads of cold blobs may push hot ones out (Java cannot ask the
 * kernel not to cache them), which the rate bounds.
 *
 * Order: digest order, as the index iterates, one seek per blob (BlobIndex.next): no iterator or
 * snapshot is held between steps, and blobs committed during a pass are checked in it if they
 * come after the cursor. Each process starts its passes at a random digest and wraps around; the
 * cursor lives in memory only. After a restart the first pass begins (after start-delay) at a new
 * random point, so nothing is persisted, and a node restarted more often than a pass takes still
 * gets all of its blobs checked over time rather than the start of the order again and again.
 *
 * Concurrency: steps run one at a time (each schedules the next; step() is synchronized with
 * stop()). Blobs with an open writer are skipped (BlobStore.isBeingWritten). The scrub takes no
 * lease, so eviction never waits for it: a blob deleted while it is being read is read to the end
 * from the unlinked file, and the store quarantines only if the path still names the file that was
 * read (FileIdentity), which also spares a fresh copy renamed over a bad one. Readers are never
 * blocked: the scrub only reads.
 *
 * Stop: coordinated shutdown's before-service-unbind phase stops the scrub and waits for a running
 * step, so no step touches RocksDB after the database closes.
 */

/** The background check of this node's committed blobs, at a bounded rate. */
public final class BlobScrub {

  private static final Logger log = LoggerFactory.getLogger(BlobScrub.class);
  private static final long MIN_SLICE = 64 * 1024;
  private static final long MAX_SLICE = 4L * 1024 * 1024;
  /** Blobs one step may open, so that tiny blobs do not make one step long. */
  private static final int MAX_BLOBS_PER_STEP = 64;
  /** The least pause between passes: an empty store must not make the scrub spin. */
  private static final Duration MIN_PASS_PAUSE = Duration.ofSeconds(1);
  /** The pause after a step that failed (a disk error, the database closing). */
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofMinutes(1);

  private final BlobStore store;
  private final ScrubSettings settings;
  private final long sliceBytes;
  private final Digest passStart;
  private Digest cursor;
  private boolean wrapped;
  private BlobFileCheck current;
  private boolean stopped;
  private PassCounts pass = new PassCounts();
  private long passesDone;

  /**
   * A scrub of {@code store} whose passes start after {@code passStart} in digest order and wrap
   * around. Nothing runs until {@link #step} is called; {@link #start} calls it on a schedule.
   */
  BlobScrub(BlobStore store, ScrubSettings settings, Digest passStart) {
    this.store = store;
    this.settings = settings;
    this.sliceBytes = Math.max(MIN_SLICE, Math.min(MAX_SLICE, settings.bytesPerSecond() / 10));
    this.passStart = passStart;
    this.cursor = passStart;
  }

  /**
   * Starts the scrub of {@code store} on {@code blockingExecutor}, first after the start delay, and
   * stops it when the node stops. Does nothing if the scrub is off.
   */
  public static void start(ActorSystem<?> system, ScrubSettings settings, BlobStore store,
      Executor blockingExecutor) {
    if (!settings.enabled()) {
      log.info("The blob scrub is off (layercake.storage.scrub.enabled): blob files are checked by size at"
          + " start-up and before serving, never hashed after their commit");
      return;
    }
    byte[] start = new byte[32];
    ThreadLocalRandom.current().nextBytes(start);
    BlobScrub scrub = new BlobScrub(store, settings, Digest.ofSha256Bytes(start));
    Schedule schedule = new Schedule(system, scrub, blockingExecutor);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "layercake-scrub-stop",
        () -> CompletableFuture.supplyAsync(() -> {
          scrub.stop();
          return Done.getInstance();
        }, blockingExecutor));
    log.info("The blob scrub checks every blob file at up to {} bytes/s, a pass every {} (the first in {})",
        settings.bytesPerSecond(), settings.interval(), settings.startDelay());
    schedule.after(settings.startDelay());
  }

  /**
   * Does the next slice of work: reads up to a slice of blob bytes, checking and quarantining the
   * blobs it finishes.
   *
   * @return the pause before the next step (the slice's time at the rate, plus the interval when
   *     a pass ended), or empty once stopped
   */
  synchronized Optional<Duration> step() throws IOException {
    if (stopped) {
      return Optional.empty();
    }
    long read = 0;
    int opened = 0;
    while (read < sliceBytes) {
      if (current == null) {
        if (opened == MAX_BLOBS_PER_STEP) {
          break;
        }
        Optional<BlobIndex.Entry> next = nextEntry();
        if (next.isEmpty()) {
          endPass();
          return Optional.of(pace(read).plus(max(settings.interval(), MIN_PASS_PAUSE)));
        }
        opened++;
        current = begin(next.get());
        continue;
      }
      long n = current.read(sliceBytes - read);
      read += n;
      pass.bytes += n;
      if (current.finished()) {
        finish(current);
        current = null;
      }
    }
    return Optional.of(pace(read));
  }

  /** Drops the blob being checked after a failed step; the next pass checks it again. */
  synchronized void abandonCurrent() {
    if (current != null) {
      current.close();
      current = null;
    }
  }

  /** Stops the scrub; waits for a running step. */
  synchronized void stop() {
    stopped = true;
    abandonCurrent();
  }

  /** How many passes over the store have ended. */
  synchronized long passesDone() {
    return passesDone;
  }

  /** The next index entry of this pass, or empty when the pass has come round to its start. */
  private Optional<BlobIndex.Entry> nextEntry() {
    Optional<BlobIndex.Entry> next = store.index().next(cursor);
    if (next.isEmpty() && !wrapped) {
      wrapped = true;
      next = store.index().next(null);
    }
    if (next.isEmpty() || (wrapped && next.get().digest().compareTo(passStart) > 0)) {
      return Optional.empty();
    }
    cursor = next.get().digest();
    return next;
  }

  /** Opens the blob for its check, or checks its size alone if that fails; null if done with it. */
  private BlobFileCheck begin(BlobIndex.Entry entry) throws IOException {
    Digest digest = entry.digest();
    if (store.isBeingWritten(digest)) {
      pass.skipped++;
      return null;
    }
    Optional<BlobFileCheck> opened = BlobFileCheck.open(store.pathOf(digest), digest, entry.record().size());
    if (opened.isEmpty()) {
      // Evicted, or replaced by a fresh copy, since it was listed.
      pass.skipped++;
      return null;
    }
    BlobFileCheck check = opened.get();
    Optional<String> wrongSize = check.sizeFailure();
    if (wrongSize.isPresent()) {
      check.close();
      pass.checked++;
      quarantine(check, wrongSize.get());
      return null;
    }
    return check;
  }

  private void finish(BlobFileCheck check) {
    check.close();
    pass.checked++;
    check.failure().ifPresent(failure -> quarantine(check, failure));
  }

  private void quarantine(BlobFileCheck check, String failure) {
    if (store.quarantine(check.digest(), Corruption.FoundBy.SCRUB, failure, check.identity())) {
      pass.quarantined++;
    }
  }

  private void endPass() {
    Duration took = Duration.ofMillis((System.nanoTime() - pass.startedNanos) / 1_000_000);
    log.info("Blob scrub pass done in {}: {} blobs checked ({} bytes read), {} quarantined, {} skipped"
        + " (being written or evicted)", took, pass.checked, pass.bytes, pass.quarantined, pass.skipped);
    pass = new PassCounts();
    passesDone++;
    cursor = passStart;
    wrapped = false;
  }

  private Duration pace(long bytes) {
    return Duration.ofNanos(bytes * 1_000_000_000L / settings.bytesPerSecond());
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** What the current pass has done, for its log line. */
  private static final class PassCounts {
    private final long startedNanos = System.nanoTime();
    private long checked;
    private long bytes;
    private long quarantined;
    private long skipped;
  }

  /** Runs the steps on the blocking executor, each after the pause the last one asked for. */
  private static final class Schedule {

    private final ActorSystem<?> system;
    private final BlobScrub scrub;
    private final Executor blockingExecutor;

    Schedule(ActorSystem<?> system, BlobScrub scrub, Executor blockingExecutor) {
      this.system = system;
      this.scrub = scrub;
      this.blockingExecutor = blockingExecutor;
    }

    void after(Duration pause) {
      try {
        system.scheduler().scheduleOnce(pause, this::submit, system.executionContext());
      } catch (IllegalStateException stopping) {
        // The scheduler has shut down with the node.
      }
    }

    private void submit() {
      try {
        blockingExecutor.execute(this::run);
      } catch (RejectedExecutionException stopping) {
        // The dispatcher has shut down with the node.
      }
    }

    private void run() {
      Optional<Duration> pause;
      try {
        pause = scrub.step();
      } catch (IOException | RuntimeException e) {
        log.warn("A blob scrub step failed, retrying in {}: {}", RETRY_AFTER_FAILURE, e.toString());
        scrub.abandonCurrent();
        pause = Optional.of(RETRY_AFTER_FAILURE);
      }
      pause.ifPresent(this::after);
    }
  }
}
