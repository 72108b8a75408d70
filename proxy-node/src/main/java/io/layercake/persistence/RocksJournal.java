package io.layercake.persistence;

import akka.actor.ActorSystem;
import akka.persistence.AtomicWrite;
import akka.persistence.PersistentRepr;
import akka.persistence.journal.japi.AsyncWriteJournal;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Akka Persistence journal on the node's RocksDB ({@code layercake.persistence.journal}).
 *
 * <p>Events are stored with Akka's own {@link PersistentRepr} serializer, which in turn uses the
 * serializer bound to each event (Jackson CBOR for layercake's events).
 */
public final class RocksJournal extends AsyncWriteJournal {

  /*
   * Key layout.
   *
   * JOURNAL family:       UTF-8(persistenceId) 0x00 sequenceNr(8 bytes, big-endian)
   *                       -> PersistentRepr serialized by akka-persistence's message serializer
   * JOURNAL_META family:  UTF-8(persistenceId) 0x00
   *                       -> deletedTo(8 bytes, big-endian): the highest sequence number deleted
   *
   * Why this layout:
   * - RocksDB orders keys bytewise. Big-endian non-negative longs sort numerically, so the events of
   *   one id are contiguous and in sequence order: replay is one seek and a forward scan, and the
   *   highest sequence number is one seek to the end of the id's range.
   * - Persistence ids never contain 0x00 (PersistenceKeys rejects them), so "ledger-1" 0x00 can
   *   never be a prefix of "ledger-10"'s keys; every scan is bounded to exactly one id.
   * - Deletes are physical: one range tombstone per deleteMessagesTo, cheap however many events.
   *   Akka requires the highest sequence number to survive deleting every event, so the delete
   *   records how far it deleted in JOURNAL_META, in the same batch. The highest sequence number
   *   is then max(last key, deletedTo). Writes do not touch the meta family: the last key already
   *   says what they wrote, and concurrent batches cannot race on a read-modify-write of it.
   *
   * Atomicity and durability: each call to doAsyncWriteMessages becomes ONE WriteBatch. Every
   * AtomicWrite it holds (all events of one persistAll) is therefore applied whole or not at all,
   * even on kill -9 or power loss. With layercake.persistence.sync-writes on, all of them share
   * one fsync; off (the default), the batch is durable against process crashes only. An
   * AtomicWrite that fails to serialize contributes nothing to the batch and is rejected on its
   * own; a RocksDB failure fails the whole call, as Akka's contract asks.
   *
   * Threading: blocking calls run as Futures on the plugin dispatcher (layercake.blocking-io-
   * dispatcher). Akka resequences the replies, so concurrent batches are safe; deletes take a lock
   * because they read the highest sequence number and then write deletedTo.
   */

  private final NodeDatabase database;
  private final ColumnFamilyHandle events;
  private final ColumnFamilyHandle meta;
  private final Serialization serialization;
  private final PersistenceSettings settings;
  private final ExecutionContext blockingIo;
  private final PendingCalls pendingCalls = new PendingCalls();
  private final Object deleteLock = new Object();

  /** Called by Akka Persistence when the plugin starts. */
  public RocksJournal() {
    ActorSystem system = context().system();
    this.database = NodeDatabaseExtension.get(system);
    this.events = database.family(NodeDatabase.Family.JOURNAL);
    this.meta = database.family(NodeDatabase.Family.JOURNAL_META);
    this.serialization = SerializationExtension.get(system);
    this.settings = PersistenceSettings.fromConfig(system.settings().config());
    this.blockingIo = context().dispatcher();
  }

  @Override
  public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
    return pendingCalls.submit(() -> write(messages), blockingIo);
  }

  @Override
  public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
    return pendingCalls.submit(() -> deleteTo(persistenceId, toSequenceNr), blockingIo);
  }

  @Override
  public Future<Void> doAsyncReplayMessages(
      String persistenceId,
      long fromSequenceNr,
      long toSequenceNr,
      long max,
      Consumer<PersistentRepr> replayCallback) {
    return pendingCalls.submit(
        () -> replay(database, serialization, persistenceId, fromSequenceNr, toSequenceNr, max, replayCallback),
        blockingIo);
  }

  @Override
  public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
    return pendingCalls.submit(
        () -> highestSequenceNr(PersistenceKeys.prefix(persistenceId)), blockingIo);
  }

  @Override
  public void postStop() throws Exception {
    pendingCalls.awaitNone(settings.stopTimeout(), "RocksJournal");
    super.postStop();
  }

  private List<Optional<Exception>> write(Iterable<AtomicWrite> writes) throws RocksDBException {
    List<Optional<Exception>> results = new ArrayList<>();
    try (WriteBatch batch = new WriteBatch()) {
      for (AtomicWrite write : writes) {
        List<byte[][]> entries;
        try {
          entries = encode(write);
        } catch (Exception e) {
          results.add(Optional.of(e));
          continue;
        }
        for (byte[][] entry : entries) {
          batch.put(events, entry[0], entry[1]);
        }
        results.add(Optional.empty());
      }
      if (batch.count() > 0) {
        database.rocks().write(database.writes(settings.syncWrites()), batch);
      }
    }
    return results;
  }

  /** Key and value of every event of {@code write}; throws if any of them cannot be serialized. */
  private List<byte[][]> encode(AtomicWrite write) throws Exception {
    List<byte[][]> entries = new ArrayList<>(write.size());
    for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
      byte[] key = PersistenceKeys.key(PersistenceKeys.prefix(repr.persistenceId()), repr.sequenceNr());
      entries.add(new byte[][] {key, serialization.serialize(repr).get()});
    }
    return entries;
  }

  /**
   * Hands {@code callback} at most {@code max} events of {@code persistenceId} in {@code database},
   * from sequence number {@code from} to {@code to}, in order; also how the admin API reads a
   * tag's history (persistence.JournalEvents). Blocks on RocksDB.
   */
  static Void replay(NodeDatabase database, Serialization serialization, String persistenceId, long from, long to,
      long max, Consumer<PersistentRepr> callback) throws RocksDBException {
    byte[] prefix = PersistenceKeys.prefix(persistenceId);
    try (PrefixIterator range = new PrefixIterator(database.rocks(), database.family(NodeDatabase.Family.JOURNAL),
        prefix)) {
      RocksIterator it = range.iterator();
      long replayed = 0;
      for (it.seek(PersistenceKeys.key(prefix, from)); it.isValid() && replayed < max; it.next()) {
        if (PersistenceKeys.longAt(it.key(), prefix.length) > to) {
          break;
        }
        callback.accept(serialization.deserialize(it.value(), PersistentRepr.class).get());
        replayed++;
      }
      range.checkStatus();
    }
    return null;
  }

  private long highestSequenceNr(byte[] prefix) throws RocksDBException {
    long lastWritten = 0;
    try (PrefixIterator range = new PrefixIterator(database.rocks(), events, prefix)) {
      RocksIterator it = range.iterator();
      it.seekToLast();
      if (it.isValid()) {
        lastWritten = PersistenceKeys.longAt(it.key(), prefix.length);
      }
      range.checkStatus();
    }
    return Math.max(lastWritten, deletedTo(prefix));
  }

  private long deletedTo(byte[] prefix) throws RocksDBException {
    byte[] value = database.rocks().get(meta, prefix);
    return value == null ? 0 : PersistenceKeys.longAt(value, 0);
  }

  private Void deleteTo(String persistenceId, long toSequenceNr) throws RocksDBException {
    byte[] prefix = PersistenceKeys.prefix(persistenceId);
    synchronized (deleteLock) {
      // Never past what was written: deletedTo must stay a sequence number that really existed.
      long upTo = Math.min(toSequenceNr, highestSequenceNr(prefix));
      if (upTo <= deletedTo(prefix)) {
        return null;
      }
      byte[] end =
          upTo == Long.MAX_VALUE
              ? PersistenceKeys.prefixEnd(prefix)
              : PersistenceKeys.key(prefix, upTo + 1);
      try (WriteBatch batch = new WriteBatch()) {
        batch.deleteRange(events, PersistenceKeys.key(prefix, 0), end);
        batch.put(meta, prefix, PersistenceKeys.longBytes(upTo));
        database.rocks().write(database.writes(settings.syncWrites()), batch);
      }
    }
    return null;
  }
}
