package io.layercake.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Which file a path named when it was checked: the file system's key (device and inode on Linux),
 * or, where the file system has none, the modification time. A check that took a while (the
 * scrub hashing a large blob) quarantines only if the path still names the file it read: a fill
 * may have renamed a fresh copy over it in the meantime, and that copy must stay.
 *
 * @param key the file key, or the modification time where there is no file key
 */
record FileIdentity(Object key) {

  /** The identity of the file these attributes were read from. */
  static FileIdentity of(BasicFileAttributes attributes) {
    Object key = attributes.fileKey();
    return new FileIdentity(key != null ? key : attributes.lastModifiedTime());
  }

  /** The identity of the file at {@code path} now, or empty if there is none. */
  static Optional<FileIdentity> at(Path path) throws IOException {
    try {
      return Optional.of(of(Files.readAttributes(path, BasicFileAttributes.class)));
    } catch (NoSuchFileException gone) {
      return Optional.empty();
    }
  }
}
