package io.layercake.events;

import io.layercake.Json;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * This node's log of the cluster's events, in the EVENTS column family: keyed by offset (big
 * endian, so keys sort as numbers), the newest {@code retain} kept. Offsets go on from the last one
 * on disk after a restart, so a consumer that resumes with {@code ?from=} never sees an offset
 * twice. Events from before the oldest kept are gone: a consumer asking for them starts at the
 * oldest.
 */
public final class EventLog {

  private final NodeDatabase database;
  private final ColumnFamilyHandle family;
  private final long retain;
  private long oldest;
  private long next;
  /** Completed, and replaced, at every append: what a follower waiting for more waits on. */
  private CompletableFuture<Void> appended = new CompletableFuture<>();

  /** The log in {@code database}, keeping the newest {@code retain} events. */
  public EventLog(NodeDatabase database, long retain) {
    this.database = database;
    this.family = database.family(NodeDatabase.Family.EVENTS);
    this.retain = retain;
    try (RocksIterator it = database.rocks().newIterator(family)) {
      it.seekToFirst();
      oldest = it.isValid() ? offsetOf(it.key()) : 1;
      it.seekToLast();
      next = it.isValid() ? offsetOf(it.key()) + 1 : 1;
    }
  }

  /** Logs {@code event} under the next offset and wakes those waiting for it. */
  public CacheEvent append(CacheEvent event) {
    CompletableFuture<Void> woken;
    CacheEvent logged;
    synchronized (this) {
      logged = event.at(next);
      try {
        database.rocks().put(family, database.plainWrites(), key(next), Json.bytes(logged));
        next++;
        if (next - oldest > retain) {
          long from = oldest;
          oldest = next - retain;
          database.rocks().deleteRange(family, database.plainWrites(), key(from), key(oldest));
        }
      } catch (RocksDBException e) {
        throw new StorageException("log event " + event.type(), e);
      }
      woken = appended;
      appended = new CompletableFuture<>();
    }
    woken.complete(null);
    return logged;
  }

  /** Up to {@code max} events from offset {@code from} on (from the oldest kept, if it is older). */
  public List<CacheEvent> read(long from, int max) {
    List<CacheEvent> events = new ArrayList<>();
    try (RocksIterator it = database.rocks().newIterator(family)) {
      for (it.seek(key(Math.max(1, from))); it.isValid() && events.size() < max; it.next()) {
        events.add(Json.MAPPER.readValue(it.value(), CacheEvent.class));
      }
    } catch (IOException e) {
      throw new StorageException("read the event log", e);
    }
    return events;
  }

  /** Completes once an event with an offset of {@code offset} or more is in the log. */
  public synchronized CompletionStage<Void> awaitOffset(long offset) {
    return offset < next ? CompletableFuture.completedFuture(null) : appended;
  }

  /** The offset the next event gets. */
  public synchronized long nextOffset() {
    return next;
  }

  private static byte[] key(long offset) {
    return ByteBuffer.allocate(Long.BYTES).putLong(offset).array();
  }

  private static long offsetOf(byte[] key) {
    return ByteBuffer.wrap(key).getLong();
  }
}
