package io.layercake.persistence;

import akka.actor.ActorSystem;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.serialization.Snapshot;
import akka.persistence.snapshot.japi.SnapshotStore;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.NodeDatabaseExtension;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * Akka Persistence snapshot store on the node's RocksDB ({@code layercake.persistence.snapshot-store}).
 *
 * <p>Key in the SNAPSHOTS family: UTF-8(persistenceId) 0x00, sequenceNr and timestamp as 8
 * big-endian bytes each, so one id's snapshots sort by sequence number, then time. Loading the
 * latest snapshot is a backward scan from the criteria's upper bound. The value is Akka's
 * {@link Snapshot} wrapper serialized by akka-persistence's snapshot serializer, which in turn uses
 * the serializer bound to the state. The optional {@link SnapshotMetadata#metadata()} used by
 * replicated event sourcing is not stored.
 */
public final class RocksSnapshotStore extends SnapshotStore {

  private final NodeDatabase database;
  private final ColumnFamilyHandle snapshots;
  private final Serialization serialization;
  private final PersistenceSettings settings;
  private final ExecutionContext blockingIo;
  private final PendingCalls pendingCalls = new PendingCalls();

  /** Called by Akka Persistence when the plugin starts. */
  public RocksSnapshotStore() {
    ActorSystem system = context().system();
    this.database = NodeDatabaseExtension.get(system);
    this.snapshots = database.family(NodeDatabase.Family.SNAPSHOTS);
    this.serialization = SerializationExtension.get(system);
    this.settings = PersistenceSettings.fromConfig(system.settings().config());
    this.blockingIo = context().dispatcher();
  }

  @Override
  public Future<Optional<SelectedSnapshot>> doLoadAsync(
      String persistenceId, SnapshotSelectionCriteria criteria) {
    return pendingCalls.submit(() -> load(database, serialization, persistenceId, criteria), blockingIo);
  }

  @Override
  public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
    return pendingCalls.submit(() -> save(metadata, snapshot), blockingIo);
  }

  /** Deletes the snapshot of {@code metadata}; a timestamp of 0 means any at that sequence number. */
  @Override
  public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
    long seqNr = metadata.sequenceNr();
    long timestamp = metadata.timestamp();
    Selection selection =
        timestamp == 0
            ? new Selection(seqNr, seqNr, 0, Long.MAX_VALUE)
            : new Selection(seqNr, seqNr, timestamp, timestamp);
    return pendingCalls.submit(() -> delete(metadata.persistenceId(), selection), blockingIo);
  }

  @Override
  public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
    return pendingCalls.submit(() -> delete(persistenceId, Selection.of(criteria)), blockingIo);
  }

  @Override
  public void postStop() throws Exception {
    pendingCalls.awaitNone(settings.stopTimeout(), "RocksSnapshotStore");
    super.postStop();
  }

  /**
   * The newest snapshot of {@code persistenceId} in {@code database} that {@code criteria} selects;
   * also how the admin API reads a tag's history (persistence.JournalEvents). Blocks on RocksDB.
   */
  static Optional<SelectedSnapshot> load(NodeDatabase database, Serialization serialization, String persistenceId,
      SnapshotSelectionCriteria criteria) throws RocksDBException {
    byte[] prefix = PersistenceKeys.prefix(persistenceId);
    Selection selection = Selection.of(criteria);
    try (PrefixIterator range = new PrefixIterator(database.rocks(), database.family(NodeDatabase.Family.SNAPSHOTS),
        prefix)) {
      RocksIterator it = range.iterator();
      it.seekForPrev(PersistenceKeys.key(prefix, selection.maxSeqNr(), Long.MAX_VALUE));
      for (; it.isValid(); it.prev()) {
        long seqNr = PersistenceKeys.longAt(it.key(), prefix.length);
        long timestamp = PersistenceKeys.longAt(it.key(), prefix.length + Long.BYTES);
        if (seqNr < selection.minSeqNr()) {
          break;
        }
        if (selection.matches(seqNr, timestamp)) {
          Snapshot snapshot = serialization.deserialize(it.value(), Snapshot.class).get();
          SnapshotMetadata metadata = new SnapshotMetadata(persistenceId, seqNr, timestamp);
          return Optional.of(SelectedSnapshot.create(metadata, snapshot.data()));
        }
      }
      range.checkStatus();
    }
    return Optional.empty();
  }

  private Void save(SnapshotMetadata metadata, Object snapshot) throws RocksDBException {
    byte[] key =
        PersistenceKeys.key(
            PersistenceKeys.prefix(metadata.persistenceId()),
            metadata.sequenceNr(),
            metadata.timestamp());
    byte[] value = serialization.serialize(new Snapshot(snapshot)).get();
    database.rocks().put(snapshots, database.writes(settings.syncWrites()), key, value);
    return null;
  }

  private Void delete(String persistenceId, Selection selection) throws RocksDBException {
    byte[] prefix = PersistenceKeys.prefix(persistenceId);
    try (PrefixIterator range = new PrefixIterator(database.rocks(), snapshots, prefix);
        WriteBatch batch = new WriteBatch()) {
      RocksIterator it = range.iterator();
      for (it.seek(PersistenceKeys.key(prefix, selection.minSeqNr(), 0)); it.isValid(); it.next()) {
        long seqNr = PersistenceKeys.longAt(it.key(), prefix.length);
        if (seqNr > selection.maxSeqNr()) {
          break;
        }
        if (selection.matches(seqNr, PersistenceKeys.longAt(it.key(), prefix.length + Long.BYTES))) {
          batch.delete(snapshots, it.key());
        }
      }
      range.checkStatus();
      if (batch.count() > 0) {
        database.rocks().write(database.writes(settings.syncWrites()), batch);
      }
    }
    return null;
  }

  /** Inclusive bounds on sequence number and timestamp. */
  private record Selection(long minSeqNr, long maxSeqNr, long minTimestamp, long maxTimestamp) {

    static Selection of(SnapshotSelectionCriteria criteria) {
      return new Selection(
          criteria.minSequenceNr(),
          criteria.maxSequenceNr(),
          criteria.minTimestamp(),
          criteria.maxTimestamp());
    }

    boolean matches(long seqNr, long timestamp) {
      return seqNr >= minSeqNr
          && seqNr <= maxSeqNr
          && timestamp >= minTimestamp
          && timestamp <= maxTimestamp;
    }
  }
}
