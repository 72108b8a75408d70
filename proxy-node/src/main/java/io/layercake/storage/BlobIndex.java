package io.layercake.storage;

import io.layercake.Json;
import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/*
 * Implementation notes
 *
 * Pulls (access time and count, for eviction's LRU order and for `images`) happen on every blob
 * request, and writing each to RocksDB put a write on the response path: on a full disk RocksDB
 * refuses writes, and every cache hit failed with it. So pulls are kept in memory (one entry per
 * blob pulled since the last flush, merged) and written in one batch by flushPulls, which the
 * node runs every few seconds on the blocking dispatcher. Reads merge what is pending, so every
 * reader sees pulls at once. A flush that fails keeps its pulls for the next one: losing access
 * times costs eviction a little precision, never correctness, and a cache hit never waits on, or
 * fails with, a write.
 */

/**
 * The RocksDB index of committed blobs: digest to {@link BlobRecord}. The files are the truth; the
 * index is what lets the node answer size, media type and access questions without a stat, and
 * what eviction orders by. {@link BlobStore#recover} reconciles the two at start-up.
 */
public final class BlobIndex {

  private final NodeDatabase database;
  private final ColumnFamilyHandle family;
  private final Map<Digest, Pulls> pending = new ConcurrentHashMap<>();

  /** An index over the node's BLOBS column family. */
  public BlobIndex(NodeDatabase database) {
    this.database = database;
    this.family = database.family(NodeDatabase.Family.BLOBS);
  }

  /** The record of a blob, if it is indexed, with the pulls not yet written. */
  public Optional<BlobRecord> get(Digest digest) {
    return stored(digest).map(record -> withPending(digest, record));
  }

  private Optional<BlobRecord> stored(Digest digest) {
    try {
      byte[] value = database.rocks().get(family, key(digest));
      return value == null ? Optional.empty() : Optional.of(Json.MAPPER.readValue(value, BlobRecord.class));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("read blob index entry for " + digest, e);
    }
  }

  private BlobRecord withPending(Digest digest, BlobRecord record) {
    Pulls pulls = pending.get(digest);
    return pulls == null ? record : applied(pulls, record);
  }

  /**
   * Writes the record of a commit. Not synced: the file it describes is already fsynced in place,
   * and start-up indexes any committed file the index lacks (after an OS crash, say), sniffing a
   * manifest's type from its JSON. An fsync here would sit on every cold manifest's path.
   */
  public void put(Digest digest, BlobRecord record) {
    try {
      database.rocks().put(family, database.plainWrites(), key(digest), Json.MAPPER.writeValueAsBytes(record));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("write blob index entry for " + digest, e);
    }
  }

  /** Counts a pull of the blob at {@code at} (epoch milliseconds), in memory until the next flush. */
  public void recordPull(Digest digest, long at) {
    pending.merge(digest, Pulls.one(at), Pulls::plus);
  }

  /**
   * Writes the pulls counted since the last flush, in one batch, not synced. Returns how many
   * blobs' records were written. If RocksDB refuses the write (a full disk), the pulls stay pending
   * and the exception tells the caller, who tries again later.
   */
  public int flushPulls() {
    Map<Digest, Pulls> taken = new HashMap<>();
    for (Digest digest : List.copyOf(pending.keySet())) {
      Pulls pulls = pending.remove(digest);
      if (pulls != null) {
        taken.put(digest, pulls);
      }
    }
    if (taken.isEmpty()) {
      return 0;
    }
    int written = 0;
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<Digest, Pulls> entry : taken.entrySet()) {
        Optional<BlobRecord> record = stored(entry.getKey());
        if (record.isPresent()) {
          batch.put(family, key(entry.getKey()),
              Json.MAPPER.writeValueAsBytes(applied(entry.getValue(), record.get())));
          written++;
        }
      }
      database.rocks().write(database.plainWrites(), batch);
      return written;
    } catch (RocksDBException | IOException | RuntimeException e) {
      taken.forEach((digest, pulls) -> pending.merge(digest, pulls, Pulls::plus));
      throw new StorageException("write the access times of " + taken.size() + " blobs", e);
    }
  }

  /** Removes a blob's record. */
  public void remove(Digest digest) {
    pending.remove(digest);
    try {
      database.rocks().delete(family, database.syncWrites(), key(digest));
    } catch (RocksDBException e) {
      throw new StorageException("remove blob index entry for " + digest, e);
    }
  }

  /**
   * How many blobs the index holds and their total size. A full scan: meant for status pages,
   * not for request paths.
   */
  public Totals totals() {
    long[] sums = new long[2];
    forEach((digest, record) -> {
      sums[0]++;
      sums[1] += record.size();
    });
    return new Totals(sums[0], sums[1]);
  }

  /**
   * Counts of the index.
   *
   * @param blobs how many blobs
   * @param bytes their total size
   */
  public record Totals(long blobs, long bytes) {}

  /**
   * The first record after {@code after} in digest order, or the first of all if {@code after}
   * is null: one seek, so that a slow walk (the scrub) holds no iterator between steps. Entries
   * this version cannot read are passed over here and dropped by {@link #forEach}.
   */
  public Optional<Entry> next(Digest after) {
    try (RocksIterator it = database.rocks().newIterator(family)) {
      if (after == null) {
        it.seekToFirst();
      } else {
        byte[] from = key(after);
        it.seek(from);
        if (it.isValid() && Arrays.equals(it.key(), from)) {
          it.next();
        }
      }
      for (; it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.US_ASCII);
        if (!Digest.isDigest(key)) {
          continue;
        }
        try {
          Digest digest = Digest.parse(key);
          BlobRecord record = Json.MAPPER.readValue(it.value(), BlobRecord.class);
          return Optional.of(new Entry(digest, withPending(digest, record)));
        } catch (IOException unreadable) {
          // Passed over, as above.
        }
      }
      return Optional.empty();
    }
  }

  /**
   * One indexed blob.
   *
   * @param digest its digest
   * @param record what the index knows of it
   */
  public record Entry(Digest digest, BlobRecord record) {}

  /** Visits every record in digest order. */
  public void forEach(BiConsumer<Digest, BlobRecord> visitor) {
    List<byte[]> corrupt = new ArrayList<>();
    try (RocksIterator it = database.rocks().newIterator(family)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.US_ASCII);
        if (!Digest.isDigest(key)) {
          corrupt.add(it.key());
          continue;
        }
        try {
          Digest digest = Digest.parse(key);
          visitor.accept(digest, withPending(digest, Json.MAPPER.readValue(it.value(), BlobRecord.class)));
        } catch (IOException e) {
          corrupt.add(it.key());
        }
      }
    }
    // An entry this version cannot read is dropped: the file, if any, is re-indexed at start-up.
    for (byte[] key : corrupt) {
      try {
        database.rocks().delete(family, key);
      } catch (RocksDBException e) {
        throw new StorageException("drop an unreadable blob index entry", e);
      }
    }
  }

  private static byte[] key(Digest digest) {
    return digest.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static BlobRecord applied(Pulls pulls, BlobRecord record) {
    return new BlobRecord(record.size(), record.mediaType(), record.storedAt(),
        Math.max(record.lastAccess(), pulls.last()), record.pulls() + pulls.count());
  }
}
