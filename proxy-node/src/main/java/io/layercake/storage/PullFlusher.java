package io.layercake.storage;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import io.layercake.ThrottledLog;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the pulls {@link BlobIndex} and {@link TagIndex} count in memory, every few seconds and
 * once more as the node stops. Access times are worth less than the database's health: while the volume is below
 * its floor ({@link DiskSpace#low()}) nothing is written, because a write-ahead log that hits a
 * full disk makes RocksDB refuse every write until its own recovery finds room again. A flush the
 * database refuses all the same is tried again at the next tick, and said in the log at most once
 * a minute.
 */
public final class PullFlusher {

  private static final Logger log = LoggerFactory.getLogger(PullFlusher.class);
  /** Short enough that eviction's order and {@code images} are current, long enough to batch. */
  private static final Duration EVERY = Duration.ofSeconds(2);
  private static final ThrottledLog NOT_WRITTEN = new ThrottledLog(Duration.ofMinutes(1));

  private final BlobIndex index;
  private final TagIndex tags;
  private final DiskSpace space;

  PullFlusher(BlobIndex index, TagIndex tags, DiskSpace space) {
    this.index = index;
    this.tags = tags;
    this.space = space;
  }

  /** Flushes the pulls of {@code store} and {@code tags} on {@code blockingExecutor} until the node stops. */
  public static void start(ActorSystem<?> system, BlobStore store, TagIndex tags, Executor blockingExecutor) {
    PullFlusher flusher = new PullFlusher(store.index(), tags, store.space());
    system.scheduler().scheduleWithFixedDelay(EVERY, EVERY, () -> blockingExecutor.execute(flusher::flush),
        system.executionContext());
    // The database closes as the actor system terminates: this is the last moment to write.
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "layercake-flush-pulls", () -> CompletableFuture.supplyAsync(() -> {
          flusher.flush();
          return Done.getInstance();
        }, blockingExecutor));
  }

  void flush() {
    if (space.low()) {
      return;
    }
    try {
      index.flushPulls();
      tags.flushPulls();
    } catch (StorageException | IllegalStateException e) {
      NOT_WRITTEN.warn(log, "Access times not written, kept for the next try: " + e.getMessage());
    }
  }
}
