package io.layercake.storage;

import io.layercake.oci.Digest;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Implementation notes
 *
 * Moved, not deleted: a corrupted file is evidence. An operator who sees the corruption counter
 * move can compare the file with a good copy (cmp -l shows a flipped bit, a short file a torn
 * write, another blob's bytes a swapped file) and decide whether the disk is failing. The move is
 * a rename within the data folder's file system: atomic and instant whatever the size, and a
 * reader that has the file open keeps reading it, as after an unlink.
 *
 * Bounded: after every move the oldest quarantined files are deleted until the folder holds at
 * most max-size bytes; a single file larger than that is deleted at once, so max-size 0 means
 * "delete, keep nothing". A failing disk can therefore not fill the volume with evidence. The
 * quarantine is not part of the store's size (BlobStore.usedBytes): eviction neither counts nor
 * touches it.
 *
 * Names: <hex>.<found-by>.<epoch millis>, so that a listing says what was found, how and when,
 * and age order needs no stat. Files with other names are not ours and are left alone.
 */

/**
 * The folder that corrupted blob files are moved to, bounded in size.
 *
 * @param dir the folder
 * @param maxSize the most bytes it holds
 * @param clock stamps the names
 */
record Quarantine(Path dir, long maxSize, Clock clock) {

  private static final Pattern NAME = Pattern.compile("[0-9a-f]{64}\\.[a-z]+\\.([0-9]{1,18})");

  /**
   * Moves {@code file} into the quarantine; call {@link #trim} afterwards.
   *
   * @return where it now is, or empty if it had to be deleted instead (quarantine/ on another
   *     file system than blobs/)
   * @throws NoSuchFileException if there is no such file
   */
  Optional<Path> admit(Path file, Digest digest, Corruption.FoundBy foundBy) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(digest.hex() + "." + foundBy.label() + "." + clock.millis());
    try {
      Files.move(file, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException otherFileSystem) {
      // The operator mounted quarantine/ elsewhere: the file must leave blobs/ all the same.
      Files.delete(file);
      return Optional.empty();
    }
    return Optional.of(target);
  }

  /** Deletes the oldest quarantined files until the folder holds at most the maximum size. */
  synchronized void trim() throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Quarantined> files = new ArrayList<>();
    long total = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Matcher name = NAME.matcher(entry.getFileName().toString());
        if (!name.matches() || !Files.isRegularFile(entry)) {
          continue;
        }
        long size;
        try {
          size = Files.size(entry);
        } catch (NoSuchFileException gone) {
          continue;
        }
        files.add(new Quarantined(entry, Long.parseLong(name.group(1)), size));
        total += size;
      }
    }
    files.sort(Comparator.comparingLong(Quarantined::millis).thenComparing(Quarantined::path));
    for (Quarantined oldest : files) {
      if (total <= maxSize) {
        break;
      }
      Files.deleteIfExists(oldest.path());
      total -= oldest.size();
    }
  }

  private record Quarantined(Path path, long millis, long size) {}
}
