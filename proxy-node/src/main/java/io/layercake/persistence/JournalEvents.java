package io.layercake.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.SnapshotSelectionCriteria;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;

/**
 * Reads one entity's latest snapshot and events straight from this node's journal, for views of
 * history (such as a tag's history) that need no running entity. There is no Akka Persistence
 * Query plugin for the RocksDB journal: this is the read side it would offer for one persistence
 * id. Entities with retention delete the events their snapshots cover, so a reader starts from
 * the latest snapshot, as the entity does when it recovers.
 */
public final class JournalEvents {

  private final NodeDatabase database;
  private final Serialization serialization;

  /** A reader of the journal of the node running {@code system}. */
  public JournalEvents(ActorSystem<?> system) {
    this.database = NodeDatabaseExtension.get(system);
    this.serialization = SerializationExtension.get(Adapter.toClassic(system));
  }

  /**
   * The latest snapshot of {@code persistenceId} on this node, if any. Blocks on RocksDB: call it
   * on the blocking dispatcher.
   */
  public Optional<JournalSnapshot> latestSnapshot(String persistenceId) {
    try {
      return RocksSnapshotStore.load(database, serialization, persistenceId, SnapshotSelectionCriteria.latest())
          .map(selected -> new JournalSnapshot(selected.metadata().sequenceNr(), selected.snapshot()));
    } catch (RocksDBException e) {
      throw new StorageException("read the snapshots of " + persistenceId, e);
    }
  }

  /**
   * Every event of {@code persistenceId} still in this node's journal, in order. Blocks on
   * RocksDB: call it on the blocking dispatcher.
   */
  public List<JournalEvent> read(String persistenceId) {
    List<JournalEvent> events = new ArrayList<>();
    try {
      RocksJournal.replay(database, serialization, persistenceId, 0, Long.MAX_VALUE, Long.MAX_VALUE,
          repr -> events.add(new JournalEvent(repr.sequenceNr(), repr.timestamp(), repr.payload())));
    } catch (RocksDBException e) {
      throw new StorageException("read the journal of " + persistenceId, e);
    }
    return events;
  }

  /**
   * One snapshot of an entity's state.
   *
   * @param sequenceNr the sequence number of the last event it covers
   * @param state the entity's state
   */
  public record JournalSnapshot(long sequenceNr, Object state) {}

  /**
   * One journaled event.
   *
   * @param sequenceNr its sequence number
   * @param timestamp when it was written, epoch milliseconds (0 if the writer did not record it)
   * @param payload the event
   */
  public record JournalEvent(long sequenceNr, long timestamp, Object payload) {}
}
