package io.layercake.storage;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;

/**
 * The node's single RocksDB instance, with one column family per kind of metadata.
 *
 * <p>One instance per node, shared through {@link NodeDatabaseExtension}: RocksDB locks its folder,
 * and one write-ahead log across all families keeps a journal write and an index write that go in
 * one {@link org.rocksdb.WriteBatch} atomic together.
 */
public final class NodeDatabase implements AutoCloseable {

  /*
   * Options, and why:
   * - create_if_missing and create_missing_column_families: a new node, or a node upgraded to a
   *   version with a new family, starts without a migration step.
   * - The write-ahead log stays on (RocksDB's default). Writes that must survive a power cut use
   *   syncWrites(); a plain write survives a process crash but may lose its tail to an OS crash.
   * - max_total_wal_size: with several families, a rarely written one (pins) would otherwise pin
   *   old log files until its memtable fills; this bound forces it to flush instead.
   * - keep_log_file_num: RocksDB starts a new info LOG file at every open; keep the last few only.
   * - Families found on disk but unknown to this version are opened too (RocksDB refuses to open
   *   otherwise), so a rollback after an upgrade still starts; they are left untouched.
   */

  /** Column families that layercake components read and write. */
  public enum Family {
    /** Akka Persistence events, keyed by persistence id and sequence number. */
    JOURNAL("journal"),
    /** Per persistence id journal facts that must outlive deleted events. */
    JOURNAL_META("journal-meta"),
    /** Akka Persistence snapshots. */
    SNAPSHOTS("snapshots"),
    /** The blob index: digest to size, media type and access statistics. */
    BLOBS("blobs"),
    /** Repository and tag to manifest digest. */
    TAGS("tags"),
    /** Known repositories. */
    REPOSITORIES("repositories"),
    /** Pinned images, never evicted. */
    PINS("pins"),
    /** Pulls of each tag answered by this node: how many, and the latest. */
    TAG_PULLS("tag-pulls"),
    /** The cluster's events as this node heard them (tag moved, fill, eviction), by offset. */
    EVENTS("events");

    private final String columnFamilyName;

    Family(String columnFamilyName) {
      this.columnFamilyName = columnFamilyName;
    }

    /** The RocksDB column family name, as stored on disk. */
    public String columnFamilyName() {
      return columnFamilyName;
    }
  }

  private static final long MAX_TOTAL_WAL_BYTES = 256L * 1024 * 1024;
  private static final int KEPT_INFO_LOG_FILES = 4;

  private final Path dir;
  private final RocksDB rocks;
  private final DBOptions dbOptions;
  private final ColumnFamilyOptions familyOptions;
  private final List<ColumnFamilyHandle> allHandles;
  private final Map<Family, ColumnFamilyHandle> families;
  private final WriteOptions syncWrites;
  private final WriteOptions plainWrites;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NodeDatabase(
      Path dir,
      RocksDB rocks,
      DBOptions dbOptions,
      ColumnFamilyOptions familyOptions,
      List<ColumnFamilyHandle> allHandles,
      Map<Family, ColumnFamilyHandle> families) {
    this.dir = dir;
    this.rocks = rocks;
    this.dbOptions = dbOptions;
    this.familyOptions = familyOptions;
    this.allHandles = allHandles;
    this.families = families;
    this.syncWrites = new WriteOptions().setSync(true);
    this.plainWrites = new WriteOptions();
  }

  /**
   * Write options that return once the write-ahead log entry is with the OS: survives a process
   * crash, not necessarily an OS crash. Do not close them.
   */
  public WriteOptions plainWrites() {
    ensureOpen();
    return plainWrites;
  }

  /** {@link #syncWrites()} if {@code sync}, else {@link #plainWrites()}. */
  public WriteOptions writes(boolean sync) {
    return sync ? syncWrites() : plainWrites();
  }

  /**
   * Opens (or creates) the database in {@code dir}, creating the folder and any missing family.
   *
   * @throws StorageException naming the folder if RocksDB cannot open it, for example because
   *     another process holds its lock
   */
  public static NodeDatabase open(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("create the database folder " + dir, e);
    }
    RocksNativeLibrary.loadInto(dir.toAbsolutePath().resolveSibling("lib"));
    RocksDB.loadLibrary();
    List<byte[]> names = familyNames(dir);
    DBOptions dbOptions =
        new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
            .setKeepLogFileNum(KEPT_INFO_LOG_FILES);
    ColumnFamilyOptions familyOptions = new ColumnFamilyOptions();
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    for (byte[] name : names) {
      descriptors.add(new ColumnFamilyDescriptor(name, familyOptions));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try {
      RocksDB rocks = RocksDB.open(dbOptions, dir.toString(), descriptors, handles);
      Map<Family, ColumnFamilyHandle> families = new EnumMap<>(Family.class);
      for (Family family : Family.values()) {
        // familyNames lists the default family, then every Family in order: handles follow descriptors.
        families.put(family, handles.get(1 + family.ordinal()));
      }
      return new NodeDatabase(dir, rocks, dbOptions, familyOptions, handles, families);
    } catch (RocksDBException e) {
      familyOptions.close();
      dbOptions.close();
      if (String.valueOf(e.getMessage()).contains("LOCK")) {
        // RocksDB's lock file is held: the usual cause is a second node pointed at the same folder.
        throw new StorageException("open the RocksDB database in " + dir + ": another process (another"
            + " layercake node?) is using it; give every node its own layercake.storage.data-dir"
            + " (LAYERCAKE_DATA_DIR)", e);
      }
      throw new StorageException("open the RocksDB database in " + dir, e);
    }
  }

  /** The raw RocksDB handle; valid until {@link #close()}. */
  public RocksDB rocks() {
    ensureOpen();
    return rocks;
  }

  /** The handle of one column family; valid until {@link #close()}. */
  public ColumnFamilyHandle family(Family family) {
    ensureOpen();
    return families.get(family);
  }

  /**
   * How many keys each family holds: a full scan, for the tests and the flood scenario that show
   * hostile requests leave nothing behind. Reads may run beside a node's writes.
   */
  public Map<Family, Long> keyCounts() {
    Map<Family, Long> counts = new EnumMap<>(Family.class);
    for (Family family : Family.values()) {
      long keys = 0;
      try (RocksIterator it = rocks().newIterator(family(family))) {
        for (it.seekToFirst(); it.isValid(); it.next()) {
          keys++;
        }
      }
      counts.put(family, keys);
    }
    return counts;
  }

  /** Write options that fsync the write-ahead log before the write returns; do not close them. */
  public WriteOptions syncWrites() {
    ensureOpen();
    return syncWrites;
  }

  /**
   * Syncs the write-ahead log and closes the database. Idempotent. Every caller must be done with
   * {@link #rocks()} and its handles first: RocksDB's native handles do not survive close.
   *
   * @throws StorageException if RocksDB fails to sync or close; the database is closed regardless
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    RocksDBException failure = null;
    try {
      // Writes made without syncWrites() are in the OS page cache only; harden them on a clean stop.
      rocks.syncWal();
    } catch (RocksDBException e) {
      failure = e;
    }
    allHandles.forEach(ColumnFamilyHandle::close);
    try {
      rocks.closeE();
    } catch (RocksDBException e) {
      failure = failure == null ? e : addSuppressed(failure, e);
    } finally {
      syncWrites.close();
      plainWrites.close();
      familyOptions.close();
      dbOptions.close();
    }
    if (failure != null) {
      throw new StorageException("close the RocksDB database in " + dir, failure);
    }
  }

  private static RocksDBException addSuppressed(RocksDBException first, RocksDBException later) {
    first.addSuppressed(later);
    return first;
  }

  /** Whether the database is open (it closes only as the node stops). */
  public boolean isOpen() {
    return !closed.get();
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("The RocksDB database in " + dir + " is closed");
    }
  }

  /** RocksDB's default family, ours, and any family already on disk that this version lacks. */
  private static List<byte[]> familyNames(Path dir) {
    List<byte[]> names = new ArrayList<>();
    names.add(RocksDB.DEFAULT_COLUMN_FAMILY);
    for (Family family : Family.values()) {
      names.add(family.columnFamilyName().getBytes(StandardCharsets.UTF_8));
    }
    if (Files.exists(dir.resolve("CURRENT"))) {
      try (Options options = new Options()) {
        for (byte[] existing : RocksDB.listColumnFamilies(options, dir.toString())) {
          if (names.stream().noneMatch(name -> Arrays.equals(name, existing))) {
            names.add(existing);
          }
        }
      } catch (RocksDBException e) {
        throw new StorageException("list the column families in " + dir, e);
      }
    }
    return names;
  }
}
