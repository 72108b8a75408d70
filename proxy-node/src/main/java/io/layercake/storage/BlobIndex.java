package io.layercake.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The RocksDB index of committed blobs: digest to {@link BlobRecord}. The files are the truth; the
 * index is what lets the node answer size, media type and access questions without a stat, and
 * what eviction orders by. {@link BlobStore#recover} reconciles the two at start-up.
 */
public final class BlobIndex {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final NodeDatabase database;
  private final ColumnFamilyHandle family;

  /** An index over the node's BLOBS column family. */
  public BlobIndex(NodeDatabase database) {
    this.database = database;
    this.family = database.family(NodeDatabase.Family.BLOBS);
  }

  /** The record of a blob, if it is indexed. */
  public Optional<BlobRecord> get(Digest digest) {
    try {
      byte[] value = database.rocks().get(family, key(digest));
      return value == null ? Optional.empty() : Optional.of(JSON.readValue(value, BlobRecord.class));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("read blob index entry for " + digest, e);
    }
  }

  /**
   * Writes the record of a commit. Not synced: the file it describes is already fsynced in place,
   * and start-up indexes any committed file the index lacks (after an OS crash, say), sniffing a
   * manifest's type from its JSON. An fsync here would sit on every cold manifest's path.
   */
  public void put(Digest digest, BlobRecord record) {
    try {
      database.rocks().put(family, database.plainWrites(), key(digest), JSON.writeValueAsBytes(record));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("write blob index entry for " + digest, e);
    }
  }

  /**
   * Writes the record of a pull. Not synced: losing the last few access times in a crash costs
   * eviction a little precision, never correctness.
   */
  public void recordPull(Digest digest, BlobRecord pulled) {
    try {
      database.rocks().put(family, key(digest), JSON.writeValueAsBytes(pulled));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("record a pull of " + digest, e);
    }
  }

  /** Removes a blob's record. */
  public void remove(Digest digest) {
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
          return Optional.of(new Entry(Digest.parse(key), JSON.readValue(it.value(), BlobRecord.class)));
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
          visitor.accept(Digest.parse(key), JSON.readValue(it.value(), BlobRecord.class));
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
}
