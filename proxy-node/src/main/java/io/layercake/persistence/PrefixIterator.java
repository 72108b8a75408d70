package io.layercake.persistence;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * A RocksDB iterator bounded to the keys of one persistence id.
 *
 * <p>The bounds keep seeks from scanning a neighbouring id's keys, or the range tombstones that
 * deleted events leave behind, and let callers skip checking the prefix of every key.
 */
final class PrefixIterator implements AutoCloseable {

  private final Slice lowerBound;
  private final Slice upperBound;
  private final ReadOptions options;
  private final RocksIterator iterator;

  PrefixIterator(RocksDB rocks, ColumnFamilyHandle family, byte[] prefix) {
    this.lowerBound = new Slice(prefix);
    this.upperBound = new Slice(PersistenceKeys.prefixEnd(prefix));
    this.options = new ReadOptions().setIterateLowerBound(lowerBound).setIterateUpperBound(upperBound);
    this.iterator = rocks.newIterator(family, options);
  }

  /** The underlying iterator; only keys of the prefix are visible through it. */
  RocksIterator iterator() {
    return iterator;
  }

  /** Throws if iteration stopped because of an error rather than the end of the range. */
  void checkStatus() throws RocksDBException {
    iterator.status();
  }

  @Override
  public void close() {
    iterator.close();
    options.close();
    upperBound.close();
    lowerBound.close();
  }
}
