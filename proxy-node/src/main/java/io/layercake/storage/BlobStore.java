package io.layercake.storage;

import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Layout: <data>/blobs/sha256/<first two hex>/<hex> holds committed blobs; <data>/tmp/ holds
 * fills in progress. Both sit on one file system so that a commit is an atomic rename.
 *
 * Commit protocol (BlobWriter.commit): verify size and sha256, fsync the temp file, rename it
 * into place with ATOMIC_MOVE, fsync the target directory, then index it. A crash before the
 * rename leaves only a temp file (removed at start-up); a crash after it leaves a verified file
 * that the index may lack (hashed and indexed at start-up). No order of crashes leaves a partial
 * file in blobs/.
 *
 * Files verified, not trusted: a file can still change under us after its commit (a failing disk,
 * an operator's mistake, a restore from a bad backup). So a file is served only if it has an index
 * entry, written by a verified commit or by recovery after hashing, and its size is the indexed
 * size: find() compares the two with the stat it needs anyway, so the check costs nothing on the
 * hot path. A bit flip keeps the size; the background scrub (BlobScrub) finds those by hashing.
 * Whatever fails a check is quarantined (moved to quarantine/, see Quarantine) and unindexed, so
 * the next request is an ordinary miss and the blob is fetched again; listeners (the metrics) and
 * a WARN line name it.
 *
 * Paths are only ever built from a Digest, whose hex is validated, so no request can name a path.
 *
 * Deletion (eviction, rmi, prune): unlink the file, then drop the index entry. A crash between the
 * two leaves an entry without a file, which recovery drops (and find() drops on sight); unlink is
 * atomic, so there is no half-deleted file. A reader that already opened the file keeps reading it
 * (POSIX keeps an unlinked file's data until its last descriptor closes). A reader that has found
 * the file but not yet opened it holds a lease (lease()), and delete() refuses a leased blob: the
 * lease check and the unlink run inside one ConcurrentHashMap.compute for that digest, so a
 * lease cannot slip in between them. A quarantine runs in the same per-digest step, but ignores
 * leases: the bytes are wrong, so a reader that has not opened the file yet had better fail.
 */

/** The content-addressed blob files of one node, with their RocksDB index. */
public final class BlobStore {

  private static final Logger log = LoggerFactory.getLogger(BlobStore.class);
  private static final String TEMP_SUFFIX = ".part";

  private final StorageSettings settings;
  private final BlobIndex index;
  private final Clock clock;
  private final Quarantine quarantine;
  private volatile DiskSpace space = new DiskSpace(0, () -> Long.MAX_VALUE, System::nanoTime);
  /** Set by eviction while the store is over its cap with nothing left it may evict. */
  private volatile boolean capHeld;
  /** Bytes of committed blobs, kept in step with the index so eviction never has to scan to know. */
  private final AtomicLong usedBytes = new AtomicLong();
  private final AtomicLong usedBlobs = new AtomicLong();
  /** Bytes written by the writers still open: their temp files, not yet committed or aborted. */
  private final AtomicLong pendingBytes = new AtomicLong();
  /** Open leases per digest: readers between finding a file and finishing with it. */
  private final ConcurrentHashMap<Digest, Integer> leases = new ConcurrentHashMap<>();
  private final List<LongConsumer> spaceListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Corruption>> corruptionListeners = new CopyOnWriteArrayList<>();
  /** Open writers per digest: the scrub leaves these blobs alone until they are done. */
  private final ConcurrentHashMap<Digest, Integer> writers = new ConcurrentHashMap<>();
  /** Locks that make an index write and its byte-total update one step per digest. */
  private final Object[] indexStripes = Stream.generate(Object::new).limit(64).toArray();

  private BlobStore(StorageSettings settings, BlobIndex index, Clock clock) {
    this.settings = settings;
    this.index = index;
    this.clock = clock;
    this.quarantine = new Quarantine(settings.quarantineDir(), settings.quarantineMaxSize(), clock);
  }

  /**
   * Opens the store, creating its folders. Call {@link #recover} before serving from it.
   */
  public static BlobStore open(StorageSettings settings, NodeDatabase database, Clock clock) {
    BlobStore store = new BlobStore(settings, new BlobIndex(database), clock);
    try {
      Files.createDirectories(settings.blobsDir().resolve(Digest.ALGORITHM));
      Files.createDirectories(settings.tmpDir());
    } catch (IOException e) {
      throw new StorageException("create the data folders under " + settings.dataDir(), e);
    }
    store.space = DiskSpace.of(settings.dataDir(), settings.minFree());
    return store;
  }

  /**
   * Whether the store is over its size cap with every blob left pinned or in use, as eviction
   * last found it: then a new blob is served without being stored rather than pushing the store
   * further over the cap.
   */
  public boolean capHeld() {
    return capHeld;
  }

  /** Eviction's verdict for {@link #capHeld()}. */
  public void markCapHeld(boolean held) {
    capHeld = held;
  }

  /** The room left on the data volume: writers ask it before they store. */
  public DiskSpace space() {
    return space;
  }

  /** The index, for listing and eviction. */
  public BlobIndex index() {
    return index;
  }

  /** Where a blob lives once committed. */
  public Path pathOf(Digest digest) {
    return settings.blobsDir()
        .resolve(Digest.ALGORITHM)
        .resolve(digest.hex().substring(0, 2))
        .resolve(digest.hex());
  }

  /**
   * The committed blob, if this node holds it. The file is checked, not just the index: a file
   * whose size is not the indexed size is quarantined (see {@link #onCorruption}) and the blob is
   * reported absent, so that the caller fetches it again.
   */
  public Optional<StoredBlob> find(Digest digest) {
    return find(digest, false);
  }

  /**
   * The same, counting a pull of the blob (for eviction's LRU order and for {@code images}) with
   * the same index read: this runs on every blob request.
   */
  public Optional<StoredBlob> findForPull(Digest digest) {
    return find(digest, true);
  }

  private Optional<StoredBlob> find(Digest digest, boolean pulled) {
    Optional<BlobRecord> indexed = index.get(digest);
    if (indexed.isEmpty()) {
      // Only a verified commit, or recovery after hashing, indexes a file. A file without an
      // entry is a commit between its rename and its index write (the committer answers for it),
      // or one put there by hand: start-up hashes it.
      return Optional.empty();
    }
    BlobRecord record = indexed.get();
    Path path = pathOf(digest);
    BasicFileAttributes file;
    try {
      // The stat every lookup made anyway (Files.size is this call): the size check is free.
      file = Files.readAttributes(path, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      unindex(digest);
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("stat blob " + digest, e);
    }
    if (file.size() != record.size()) {
      quarantine(digest, Corruption.FoundBy.SERVE,
          "the file has " + file.size() + " bytes, the index says " + record.size(), FileIdentity.of(file));
      return Optional.empty();
    }
    if (pulled) {
      index.recordPull(digest, clock.millis());
    }
    return Optional.of(new StoredBlob(digest, path, record.size(), record.mediaType()));
  }

  /**
   * Reads a small committed blob (a manifest) into memory and checks its sha256, which costs
   * little next to the read: a blob whose bytes are not its digest's is quarantined like one of
   * the wrong size, and empty is returned.
   */
  public Optional<byte[]> readVerified(StoredBlob blob) throws IOException {
    BasicFileAttributes file = Files.readAttributes(blob.path(), BasicFileAttributes.class);
    byte[] bytes = Files.readAllBytes(blob.path());
    Digest actual = Digest.sha256Of(bytes);
    if (actual.equals(blob.digest())) {
      return Optional.of(bytes);
    }
    quarantine(blob.digest(), Corruption.FoundBy.SERVE, "the file's bytes have digest " + actual,
        FileIdentity.of(file));
    return Optional.empty();
  }

  /**
   * Starts writing a blob to a fresh temp file.
   *
   * @param expectedSize the announced size, or -1 if unknown
   */
  public BlobWriter newWriter(Digest digest, long expectedSize) {
    Path temp = settings.tmpDir().resolve(digest.hex() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    writers.merge(digest, 1, Integer::sum);
    try {
      return new BlobWriter(this, digest, expectedSize, temp);
    } catch (IOException e) {
      writerDone(digest);
      throw new StorageException("create temp file for " + digest, e);
    }
  }

  /** Called once by each writer when it has committed or given up. */
  void writerDone(Digest digest) {
    writers.computeIfPresent(digest, (key, count) -> count == 1 ? null : count - 1);
  }

  /** Whether a writer for the blob is open now (a fill, a load, a manifest being stored). */
  boolean isBeingWritten(Digest digest) {
    return writers.containsKey(digest);
  }

  /**
   * Counts bytes a writer has just written to its temp file, and tells the space listeners.
   * Only written bytes count, never an announced size: eviction then frees no more than the
   * fills in progress have actually put on disk, whatever they announced and however they end.
   */
  void wrote(long bytes) {
    pendingBytes.addAndGet(bytes);
    spaceListeners.forEach(listener -> listener.accept(bytes));
  }

  /** Stops counting {@code bytes} of a writer that committed or aborted. */
  void released(long bytes) {
    pendingBytes.addAndGet(-bytes);
  }

  /** Verifies and stores small content held in memory, such as a manifest. */
  public StoredBlob storeBytes(Digest digest, byte[] bytes, String mediaType) {
    Optional<StoredBlob> existing = find(digest);
    if (existing.isPresent()) {
      return existing.get();
    }
    BlobWriter writer = newWriter(digest, bytes.length);
    try {
      writer.write(ByteBuffer.wrap(bytes));
      return writer.commit(mediaType);
    } catch (IOException e) {
      writer.abort();
      throw new StorageException("store " + digest, e);
    }
  }

  StoredBlob commit(BlobWriter writer, String mediaType) throws IOException {
    Digest digest = writer.digest();
    Path target = pathOf(digest);
    Files.createDirectories(target.getParent());
    try {
      Files.move(writer.tempPath(), target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("data folder " + settings.dataDir()
          + " does not support atomic renames between tmp/ and blobs/", e);
    }
    fsyncDirectory(target.getParent());
    long now = clock.millis();
    long size = writer.written();
    reindex(digest, new BlobRecord(size, mediaType, now, now, 0));
    writer.releaseReservation();
    return new StoredBlob(digest, target, size, mediaType);
  }

  /**
   * Makes the store consistent after any stop, clean or not: removes leftover temp files, drops
   * index entries whose file is gone, quarantines files whose size is not the indexed size, and
   * hashes the files the index lacks: indexed if they are their digest's bytes, quarantined if not.
   */
  public RecoveryReport recover() {
    RecoveryReport report = new BlobRecovery(this, settings, index, clock).run();
    BlobIndex.Totals totals = index.totals();
    usedBytes.set(totals.bytes());
    usedBlobs.set(totals.blobs());
    return report;
  }

  /**
   * Takes a committed blob that failed a check out of service: its file goes to the quarantine,
   * its index entry is dropped, the corruption listeners are told and a WARN line names it. The
   * next request for it is a miss, which fetches it again.
   *
   * @param checked the file that was checked; if the path names another file now (a fill renamed
   *     a fresh copy over it), or none, nothing is done
   * @return whether the file was quarantined
   */
  boolean quarantine(Digest digest, Corruption.FoundBy foundBy, String detail, FileIdentity checked) {
    String[] moved = new String[1];
    // In the lease map's step for this digest, like delete(): a lookup that takes a lease after
    // this finds no file; one that found the file before fails to open it, and its client retries.
    leases.compute(digest, (key, count) -> {
      moved[0] = moveToQuarantine(digest, foundBy, checked);
      return count;
    });
    if (moved[0] == null) {
      return false;
    }
    log.warn("Blob {} failed the {} check ({}): {}; it is no longer served, and its next request fetches it again",
        digest, foundBy.label(), detail, moved[0]);
    Corruption corruption = new Corruption(digest, foundBy, detail);
    corruptionListeners.forEach(listener -> listener.accept(corruption));
    try {
      quarantine.trim();
    } catch (IOException e) {
      log.warn("Could not trim {} to layercake.storage.quarantine-max-size: {}", settings.quarantineDir(),
          e.toString());
    }
    return true;
  }

  /**
   * Moves the file into the quarantine and unindexes it.
   *
   * @return where the file went, in words, or null if the path no longer named the checked file
   */
  private String moveToQuarantine(Digest digest, Corruption.FoundBy foundBy, FileIdentity checked) {
    Path path = pathOf(digest);
    try {
      Optional<FileIdentity> now = FileIdentity.at(path);
      if (now.isEmpty() || !now.get().equals(checked)) {
        return null;
      }
      Optional<Path> moved = quarantine.admit(path, digest, foundBy);
      unindex(digest);
      return moved.map(place -> "moved to " + place).orElse("deleted (quarantine/ is on another file system)");
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      throw new StorageException("quarantine blob " + digest, e);
    }
  }

  /**
   * Registers a listener told of every blob file that failed a check and was quarantined, by
   * recovery, the scrub or a lookup. Register before {@link #recover} to hear of recovery's.
   */
  public void onCorruption(Consumer<Corruption> listener) {
    corruptionListeners.add(listener);
  }

  /**
   * Writes a blob's index entry and moves the byte total by the size difference, under the
   * digest's stripe lock: a commit and a lookup that indexes the same new file at the same time
   * would otherwise both count it.
   */
  void reindex(Digest digest, BlobRecord record) {
    synchronized (stripe(digest)) {
      Optional<BlobRecord> previous = index.get(digest);
      index.put(digest, record);
      usedBytes.addAndGet(record.size() - previous.map(BlobRecord::size).orElse(0L));
      if (previous.isEmpty()) {
        usedBlobs.incrementAndGet();
      }
    }
  }

  /** Drops a blob's index entry, if any, and its bytes from the total, under the stripe lock. */
  private void unindex(Digest digest) {
    synchronized (stripe(digest)) {
      Optional<BlobRecord> previous = index.get(digest);
      if (previous.isPresent()) {
        index.remove(digest);
        usedBytes.addAndGet(-previous.get().size());
        usedBlobs.decrementAndGet();
      }
    }
  }

  private Object stripe(Digest digest) {
    return indexStripes[Math.floorMod(digest.hashCode(), indexStripes.length)];
  }

  /** Bytes of committed blobs on this node, as indexed. */
  public long usedBytes() {
    return usedBytes.get();
  }

  /**
   * Committed blobs on this node, as indexed. Kept with {@link #usedBytes()} so that the status
   * page and the metrics, which answer without a token, never scan the index per request.
   */
  public long usedBlobs() {
    return usedBlobs.get();
  }

  /** Bytes written by the fills writing now, not yet committed or abandoned. */
  public long pendingBytes() {
    return pendingBytes.get();
  }

  /**
   * Registers a listener told of every write into a temp file, with its size (the bytes are
   * then in {@link #pendingBytes()} until the writer commits or aborts): eviction makes room
   * while a blob is still arriving, for the bytes that have arrived.
   */
  public void onSpaceWanted(LongConsumer listener) {
    spaceListeners.add(listener);
  }

  /**
   * Takes a lease on a blob for a reader: until the returned handle is run, {@link #delete}
   * refuses the blob. Take it before looking the file up, so that the file found is the file read.
   * Running the handle more than once releases once.
   */
  public Runnable lease(Digest digest) {
    leases.merge(digest, 1, Integer::sum);
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        leases.computeIfPresent(digest, (key, count) -> count == 1 ? null : count - 1);
      }
    };
  }

  /** Whether a reader holds a lease on the blob now. */
  public boolean isLeased(Digest digest) {
    return leases.containsKey(digest);
  }

  /**
   * Deletes a committed blob: the file, then its index entry (see the notes on crash safety).
   *
   * @param evenIfLeased delete even while a reader holds a lease (readers that have opened the
   *     file keep reading it; one that has not yet opened it fails and its client retries)
   * @return the outcome, with the bytes freed
   */
  public Deletion delete(Digest digest, boolean evenIfLeased) {
    Deletion[] outcome = new Deletion[1];
    // compute() holds this digest's entry locked while the file is unlinked, so lease() waits for
    // it and then finds no file; the unlink and the index delete take well under a millisecond.
    leases.compute(digest, (key, count) -> {
      outcome[0] = count != null && !evenIfLeased ? new Deletion(Deletion.Outcome.IN_USE, 0) : deleteNow(digest);
      return count;
    });
    return outcome[0];
  }

  private Deletion deleteNow(Digest digest) {
    Optional<BlobRecord> record = index.get(digest);
    boolean existed;
    try {
      existed = Files.deleteIfExists(pathOf(digest));
    } catch (IOException e) {
      throw new StorageException("delete blob " + digest, e);
    }
    if (record.isEmpty() && !existed) {
      return new Deletion(Deletion.Outcome.ABSENT, 0);
    }
    long size = record.map(BlobRecord::size).orElse(0L);
    unindex(digest);
    return new Deletion(existed ? Deletion.Outcome.DELETED : Deletion.Outcome.ABSENT, existed ? size : 0);
  }

  /**
   * What {@link #delete} did.
   *
   * @param outcome deleted, absent, or refused because a reader holds it
   * @param bytesFreed the size of the deleted file, 0 otherwise
   */
  public record Deletion(Outcome outcome, long bytesFreed) {

    /** The possible outcomes of a deletion. */
    public enum Outcome {
      /** The file and its index entry are gone. */
      DELETED,
      /** There was no such blob (an index entry without a file is dropped too). */
      ABSENT,
      /** A reader holds a lease on the blob; nothing was deleted. */
      IN_USE
    }
  }

  private static void fsyncDirectory(Path directory) throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /**
   * What start-up recovery did.
   *
   * @param tempFilesRemoved leftover fills deleted
   * @param missingDropped index entries dropped because their file was gone
   * @param filesIndexed files the index lacked, hashed and found to be their digest's bytes
   * @param quarantined files that failed: a size other than the indexed one, or an unindexed
   *     file whose bytes are not its digest's
   */
  public record RecoveryReport(int tempFilesRemoved, int missingDropped, int filesIndexed, int quarantined) {}
}
