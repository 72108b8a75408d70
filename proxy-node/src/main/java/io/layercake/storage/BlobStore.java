package io.layercake.storage;

import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/*
 * Implementation notes
 *
 * Layout: <data>/blobs/sha256/<first two hex>/<hex> holds committed blobs; <data>/tmp/ holds
 * fills in progress. Both sit on one file system so that a commit is an atomic rename.
 *
 * Commit protocol (BlobWriter.commit): verify size and sha256, fsync the temp file, rename it
 * into place with ATOMIC_MOVE, fsync the target directory, then index it. A crash before the
 * rename leaves only a temp file (removed at start-up); a crash after it leaves a verified file
 * that the index may lack (indexed at start-up). No order of crashes leaves a partial file in
 * blobs/.
 *
 * Paths are only ever built from a Digest, whose hex is validated, so no request can name a path.
 *
 * Deletion (eviction, rmi, prune): unlink the file, then drop the index entry. A crash between the
 * two leaves an entry without a file, which recovery drops (and find() drops on sight); unlink is
 * atomic, so there is no half-deleted file. A reader that already opened the file keeps reading it
 * (POSIX keeps an unlinked file's data until its last descriptor closes). A reader that has found
 * the file but not yet opened it holds a lease (lease()), and delete() refuses a leased blob: the
 * lease check and the unlink run inside one ConcurrentHashMap.compute for that digest, so a
 * lease cannot slip in between them.
 */

/** The content-addressed blob files of one node, with their RocksDB index. */
public final class BlobStore {

  private static final String TEMP_SUFFIX = ".part";

  private final StorageSettings settings;
  private final BlobIndex index;
  private final Clock clock;
  /** Bytes of committed blobs, kept in step with the index so eviction never has to scan to know. */
  private final AtomicLong usedBytes = new AtomicLong();
  private final AtomicLong usedBlobs = new AtomicLong();
  /** Announced sizes of the writers still open. */
  private final AtomicLong pendingBytes = new AtomicLong();
  /** Open leases per digest: readers between finding a file and finishing with it. */
  private final ConcurrentHashMap<Digest, Integer> leases = new ConcurrentHashMap<>();
  private final List<LongConsumer> spaceListeners = new CopyOnWriteArrayList<>();
  /** Locks that make an index write and its byte-total update one step per digest. */
  private final Object[] indexStripes = new Object[64];

  private BlobStore(StorageSettings settings, BlobIndex index, Clock clock) {
    this.settings = settings;
    this.index = index;
    this.clock = clock;
    for (int i = 0; i < indexStripes.length; i++) {
      indexStripes[i] = new Object();
    }
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
    return store;
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

  /** The committed blob, if this node holds it. The file is checked, not just the index. */
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
    Path path = pathOf(digest);
    Optional<BlobRecord> record = index.get(digest);
    long size;
    try {
      size = Files.size(path);
    } catch (NoSuchFileException e) {
      record.ifPresent(r -> unindex(digest));
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("stat blob " + digest, e);
    }
    String mediaType = record.map(BlobRecord::mediaType).orElse(null);
    long now = clock.millis();
    if (record.isEmpty() || record.get().size() != size) {
      reindex(digest, new BlobRecord(size, mediaType, now, now, pulled ? 1 : 0));
    } else if (pulled) {
      index.recordPull(digest, record.get().pulledAt(now));
    }
    return Optional.of(new StoredBlob(digest, path, size, mediaType));
  }

  /**
   * Starts writing a blob to a fresh temp file.
   *
   * @param expectedSize the announced size, or -1 if unknown
   */
  public BlobWriter newWriter(Digest digest, long expectedSize) {
    Path temp = settings.tmpDir().resolve(digest.hex() + "." + UUID.randomUUID() + TEMP_SUFFIX);
    BlobWriter writer;
    try {
      writer = new BlobWriter(this, digest, expectedSize, temp);
    } catch (IOException e) {
      throw new StorageException("create temp file for " + digest, e);
    }
    if (expectedSize > 0) {
      // Reserved until the writer commits or aborts, so that eviction counts the blob once.
      pendingBytes.addAndGet(expectedSize);
      spaceListeners.forEach(listener -> listener.accept(expectedSize));
    }
    return writer;
  }

  /** Ends a writer's reservation of {@code bytes}. */
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
   * index entries whose file is gone, and indexes verified files the index lacks.
   */
  public RecoveryReport recover() {
    int tempFilesRemoved = 0;
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(settings.tmpDir())) {
      for (Path temp : temps) {
        Files.deleteIfExists(temp);
        tempFilesRemoved++;
      }
    } catch (IOException e) {
      throw new StorageException("clean " + settings.tmpDir(), e);
    }
    List<Digest> missing = new ArrayList<>();
    index.forEach((digest, record) -> {
      if (!Files.isRegularFile(pathOf(digest))) {
        missing.add(digest);
      }
    });
    missing.forEach(index::remove);
    int indexed = indexUnknownFiles();
    BlobIndex.Totals totals = index.totals();
    usedBytes.set(totals.bytes());
    usedBlobs.set(totals.blobs());
    return new RecoveryReport(tempFilesRemoved, missing.size(), indexed);
  }

  /**
   * Writes a blob's index entry and moves the byte total by the size difference, under the
   * digest's stripe lock: a commit and a lookup that indexes the same new file at the same time
   * would otherwise both count it.
   */
  private void reindex(Digest digest, BlobRecord record) {
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

  /** Bytes announced by the fills writing now, not yet committed or abandoned. */
  public long pendingBytes() {
    return pendingBytes.get();
  }

  /**
   * Registers a listener told the announced size of every fill that starts, before it writes
   * (the size is then in {@link #pendingBytes()} until the fill commits or aborts): eviction
   * makes room while the bytes are still on their way.
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
      if (count != null && !evenIfLeased) {
        outcome[0] = new Deletion(Deletion.Outcome.IN_USE, 0);
        return count;
      }
      outcome[0] = deleteNow(digest);
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

  private int indexUnknownFiles() {
    int indexed = 0;
    Path root = settings.blobsDir().resolve(Digest.ALGORITHM);
    try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(root)) {
      for (Path prefix : prefixes) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
          for (Path file : files) {
            String name = file.getFileName().toString();
            if (!Digest.isDigest(Digest.ALGORITHM + ":" + name)) {
              continue;
            }
            Digest digest = new Digest(name);
            if (index.get(digest).isEmpty()) {
              find(digest);
              indexed++;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("scan " + root, e);
    }
    return indexed;
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
   * @param filesIndexed committed files added to the index
   */
  public record RecoveryReport(int tempFilesRemoved, int missingDropped, int filesIndexed) {}
}
