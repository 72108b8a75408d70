package io.layercake.storage;

import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Runs once, at start-up, before the node serves (BlobStore.recover). Three steps:
 *
 * 1. tmp/ is emptied: fills in progress died with the process.
 * 2. Every index entry is checked against its file with one stat: no file, the entry is dropped
 *    (a crash between a deletion's unlink and its index write); another size, the file is
 *    quarantined. A size check is all a start can afford for every blob: hashing a 50 GiB store
 *    would delay the start by minutes. Bit flips, which keep the size, are the scrub's job.
 * 3. Files the index lacks are hashed, and indexed only if their bytes are their digest's. They
 *    are rare: a crash between a commit's rename and its index write, or an OS crash that lost
 *    the last second of (unsynced) index writes, so hashing them costs a start almost nothing.
 *    Quarantining them instead would also be safe, but would throw away blobs that are most
 *    likely whole (they were verified before the rename) and cost a fetch each. The cost is
 *    bounded by what the index lacks: a node whose db/ was deleted hashes its whole store once, at
 *    the disk's speed, and the log says how many files that was.
 */

/** Start-up reconciliation of the blob files with their index, with the files checked. */
record BlobRecovery(BlobStore store, StorageSettings settings, BlobIndex index, Clock clock) {

  private static final Logger log = LoggerFactory.getLogger(BlobRecovery.class);

  /** Reconciles the store; see the notes. */
  BlobStore.RecoveryReport run() {
    int tempFilesRemoved = removeTempFiles();
    List<Digest> missing = new ArrayList<>();
    List<WrongSize> wrongSize = new ArrayList<>();
    index.forEach((digest, record) -> {
      Optional<BasicFileAttributes> file = stat(store.pathOf(digest));
      if (file.isEmpty() || !file.get().isRegularFile()) {
        missing.add(digest);
      } else if (file.get().size() != record.size()) {
        wrongSize.add(new WrongSize(digest, file.get(), record.size()));
      }
    });
    missing.forEach(index::remove);
    int quarantined = 0;
    for (WrongSize wrong : wrongSize) {
      if (store.quarantine(wrong.digest(), Corruption.FoundBy.RECOVERY,
          "the file has " + wrong.file().size() + " bytes, the index says " + wrong.indexedSize(),
          FileIdentity.of(wrong.file()))) {
        quarantined++;
      }
    }
    long started = System.nanoTime();
    int[] unindexed = hashUnindexedFiles();
    int indexed = unindexed[Hashed.INDEXED.ordinal()];
    int corrupt = unindexed[Hashed.QUARANTINED.ordinal()];
    if (indexed + corrupt > 0) {
      log.info("Hashed {} blob files the index lacked in {} ms: {} indexed, {} quarantined",
          indexed + corrupt, (System.nanoTime() - started) / 1_000_000, indexed, corrupt);
    }
    return new BlobStore.RecoveryReport(tempFilesRemoved, missing.size(), indexed, quarantined + corrupt);
  }

  private int removeTempFiles() {
    int removed = 0;
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(settings.tmpDir())) {
      for (Path temp : temps) {
        Files.deleteIfExists(temp);
        removed++;
      }
    } catch (IOException e) {
      throw new StorageException("clean " + settings.tmpDir(), e);
    }
    return removed;
  }

  /** Hashes every digest-named file without an index entry; answers counts by {@link Hashed}. */
  private int[] hashUnindexedFiles() {
    int[] counts = new int[Hashed.values().length];
    Path root = settings.blobsDir().resolve(Digest.ALGORITHM);
    try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(root)) {
      for (Path prefix : prefixes) {
        if (!Files.isDirectory(prefix)) {
          continue;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
          for (Path file : files) {
            String name = file.getFileName().toString();
            if (!Digest.isDigest(Digest.ALGORITHM + ":" + name) || !Files.isRegularFile(file)) {
              continue;
            }
            Digest digest = new Digest(name);
            // A file in the wrong prefix folder is never looked up, so it is never served either.
            if (file.equals(store.pathOf(digest)) && index.get(digest).isEmpty()) {
              counts[hashAndIndex(digest).ordinal()]++;
            }
          }
        }
      }
    } catch (IOException e) {
      throw new StorageException("scan " + root, e);
    }
    return counts;
  }

  /** Indexes the file if its bytes are its digest's; quarantines it otherwise. */
  private Hashed hashAndIndex(Digest digest) throws IOException {
    Optional<BlobFileCheck> opened = BlobFileCheck.open(store.pathOf(digest), digest, -1);
    if (opened.isEmpty()) {
      return Hashed.GONE;
    }
    try (BlobFileCheck check = opened.get()) {
      check.readAll();
      Optional<String> failure = check.failure();
      if (failure.isPresent()) {
        store.quarantine(digest, Corruption.FoundBy.RECOVERY, failure.get(), check.identity());
        return Hashed.QUARANTINED;
      }
      long now = clock.millis();
      // Untyped: a manifest among these gets its media type sniffed from its JSON when read.
      store.reindex(digest, new BlobRecord(check.bytesRead(), null, now, now, 0));
      return Hashed.INDEXED;
    }
  }

  /** What hashing an unindexed file came to. */
  private enum Hashed {
    /** Its bytes are its digest's: indexed. */
    INDEXED,
    /** They are not: quarantined. */
    QUARANTINED,
    /** It was gone by the time it was opened. */
    GONE
  }

  private static Optional<BasicFileAttributes> stat(Path path) {
    try {
      return Optional.of(Files.readAttributes(path, BasicFileAttributes.class));
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    } catch (IOException e) {
      throw new StorageException("stat " + path, e);
    }
  }

  private record WrongSize(Digest digest, BasicFileAttributes file, long indexedSize) {}
}
