package io.layercake.bench;

import io.layercake.oci.Digest;
import io.layercake.storage.BlobIndex;
import io.layercake.storage.BlobRecord;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageSettings;
import io.layercake.storage.StoredBlob;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;
import org.rocksdb.FlushOptions;
import org.rocksdb.RocksDBException;

/**
 * The RocksDB blob index under a realistic number of entries, in operations per second.
 *
 * <p>Setup opens a {@link NodeDatabase} and a {@link BlobStore} on a fresh data folder, as a node
 * does, and indexes {@code entries} seeded digests with seeded sizes. It then flushes and compacts
 * the blob family, so that reads go through SST files and the block cache as on a node that has
 * run for a while, not through a memtable holding everything. The first {@value #HOT_BLOBS}
 * digests also get a file in {@code blobs/}: sparse, of the indexed size, so that {@link
 * BlobStore#findForPull} finds them consistent and takes its common path.
 *
 * <ul>
 *   <li>{@code getPresent}, {@code getAbsent}: {@link BlobIndex#get} of an indexed digest and of
 *       one never indexed (the read of every blob request, and of a cold one).
 *   <li>{@code recordPull}: {@link BlobIndex#recordPull}, the unsynced write of every served blob.
 *   <li>{@code findForPullHot}: {@link BlobStore#findForPull} of a stored blob, what each blob
 *       request costs the store: an index read, a stat of the file and the pull record.
 *   <li>{@code findForPullAbsent}: the same for a blob this node lacks: an index read and a failed
 *       stat.
 * </ul>
 *
 * <p>Each thread walks the digests in the seeded order from its own position, so {@code -t 4}
 * measures four request threads on one database.
 *
 * <p>Run from the repository root (iterations last 3 s; {@code -w} and {@code -r} change that):
 * <pre>
 * mvn -q -B -DskipTests -pl load-tests -am package &amp;&amp; java -cp load-tests/target/load-tests.jar org.openjdk.jmh.Main BlobIndexBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class BlobIndexBenchmark {

  /** Indexed digests that also have a blob file, for {@code findForPullHot}. */
  public static final int HOT_BLOBS = 1024;

  /** Digests that are never indexed, for the lookups that miss. */
  public static final int ABSENT_DIGESTS = 4096;

  private static final long SEED = 0xb10b1dL;
  private static final long MAX_BLOB_SIZE = 512L * 1024 * 1024;

  /** How many blobs the index holds. */
  @Param({"100000"})
  public int entries;

  private Path dataDir;
  private NodeDatabase database;
  private BlobStore store;
  private BlobIndex index;
  private Digest[] present;
  private BlobRecord[] records;
  private Digest[] absent;

  /** Opens the database and store, and fills the index. */
  @Setup(Level.Trial)
  public void open() throws IOException, RocksDBException {
    dataDir = BenchmarkNode.newDataDir("index");
    StorageSettings settings = new StorageSettings(dataDir);
    database = NodeDatabase.open(settings.databaseDir());
    store = BlobStore.open(settings, database, Clock.systemUTC());
    index = store.index();

    List<Digest> digests = SeededContent.digests(entries + ABSENT_DIGESTS, SEED);
    present = digests.subList(0, entries).toArray(new Digest[0]);
    absent = digests.subList(entries, digests.size()).toArray(new Digest[0]);
    records = new BlobRecord[entries];
    Random sizes = new Random(SEED);
    long storedAt = Clock.systemUTC().millis();
    for (int i = 0; i < entries; i++) {
      records[i] = new BlobRecord(1 + (long) (sizes.nextDouble() * MAX_BLOB_SIZE), null,
          storedAt, storedAt, 0);
      // The unsynced write: a synced put per entry would spend minutes of setup in fsync.
      index.put(present[i], records[i]);
    }
    for (int i = 0; i < Math.min(HOT_BLOBS, entries); i++) {
      createSparseFile(store.pathOf(present[i]), records[i].size());
    }
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
      database.rocks().flush(flush, database.family(NodeDatabase.Family.BLOBS));
    }
    database.rocks().compactRange(database.family(NodeDatabase.Family.BLOBS));
  }

  /** Closes the database and deletes the data folder. */
  @TearDown(Level.Trial)
  public void close() {
    try {
      if (database != null) {
        database.close();
      }
    } finally {
      BenchmarkNode.deleteDataDir(dataDir);
    }
  }

  /** One thread's position in the seeded digest order. */
  @State(Scope.Thread)
  public static class Cursor {

    /** How far apart the threads start (a prime, so they stay apart for every bound). */
    private static final int THREAD_SPACING = 7919;

    private int next;

    /** Starts each thread at its own place, so threads do not read the same keys in step. */
    @Setup(Level.Trial)
    public void start(ThreadParams thread) {
      next = thread.getThreadIndex() * THREAD_SPACING;
    }

    int next(int bound) {
      next = (next + 1) % bound;
      return next;
    }
  }

  /** Reads the record of an indexed blob. */
  @Benchmark
  public Optional<BlobRecord> getPresent(Cursor cursor) {
    return index.get(present[cursor.next(present.length)]);
  }

  /** Reads the record of a blob that was never indexed. */
  @Benchmark
  public Optional<BlobRecord> getAbsent(Cursor cursor) {
    return index.get(absent[cursor.next(absent.length)]);
  }

  /** Records a pull of an indexed blob: counted in memory, as BlobIndex now does until its batched flush. */
  @Benchmark
  public void recordPull(Cursor cursor) {
    int i = cursor.next(present.length);
    index.recordPull(present[i], System.currentTimeMillis());
  }

  /** Finds a stored blob and counts its pull, as every warm blob request does. */
  @Benchmark
  public Optional<StoredBlob> findForPullHot(Cursor cursor) {
    return store.findForPull(present[cursor.next(Math.min(HOT_BLOBS, present.length))]);
  }

  /** Looks for a blob this node does not hold, as a cold blob request does. */
  @Benchmark
  public Optional<StoredBlob> findForPullAbsent(Cursor cursor) {
    return store.findForPull(absent[cursor.next(absent.length)]);
  }

  private static void createSparseFile(Path path, long size) throws IOException {
    Files.createDirectories(path.getParent());
    try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
      file.setLength(size);
    }
  }
}
