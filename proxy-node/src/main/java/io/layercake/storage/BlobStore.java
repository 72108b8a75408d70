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
 */

/** The content-addressed blob files of one node, with their RocksDB index. */
public final class BlobStore {

  private static final String TEMP_SUFFIX = ".part";

  private final StorageSettings settings;
  private final BlobIndex index;
  private final Clock clock;

  private BlobStore(StorageSettings settings, BlobIndex index, Clock clock) {
    this.settings = settings;
    this.index = index;
    this.clock = clock;
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
      record.ifPresent(r -> index.remove(digest));
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("stat blob " + digest, e);
    }
    String mediaType = record.map(BlobRecord::mediaType).orElse(null);
    long now = clock.millis();
    if (record.isEmpty() || record.get().size() != size) {
      index.put(digest, new BlobRecord(size, mediaType, now, now, pulled ? 1 : 0));
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
    try {
      return new BlobWriter(this, digest, expectedSize, temp);
    } catch (IOException e) {
      throw new StorageException("create temp file for " + digest, e);
    }
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
    index.put(digest, new BlobRecord(size, mediaType, now, now, 0));
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
    return new RecoveryReport(tempFilesRemoved, missing.size(), indexed);
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
