package io.layercake.persistence;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.PersistentRepr;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.storage.StorageException;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * Reads one entity's events straight from this node's journal, for views of history (such as a
 * tag's history) that need no running entity. There is no Akka Persistence Query plugin for the
 * RocksDB journal: this is the read side it would offer for one persistence id.
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
   * Every event of {@code persistenceId} still in this node's journal, in order. Blocks on
   * RocksDB: call it on the blocking dispatcher.
   */
  public List<JournalEvent> read(String persistenceId) {
    byte[] prefix = PersistenceKeys.prefix(persistenceId);
    List<JournalEvent> events = new ArrayList<>();
    try (PrefixIterator range = new PrefixIterator(database.rocks(),
        database.family(NodeDatabase.Family.JOURNAL), prefix)) {
      RocksIterator it = range.iterator();
      for (it.seekToFirst(); it.isValid(); it.next()) {
        PersistentRepr repr = serialization.deserialize(it.value(), PersistentRepr.class).get();
        events.add(new JournalEvent(repr.sequenceNr(), repr.timestamp(), repr.payload()));
      }
      range.checkStatus();
    } catch (RocksDBException e) {
      throw new StorageException("read the journal of " + persistenceId, e);
    }
    return events;
  }

  /**
   * One journaled event.
   *
   * @param sequenceNr its sequence number
   * @param timestamp when it was written, epoch milliseconds (0 if the writer did not record it)
   * @param payload the event
   */
  public record JournalEvent(long sequenceNr, long timestamp, Object payload) {}
}
