package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a node's data folder holds, read straight from disk so that it works for a node in a child
 * JVM, a node that was killed, and a node in this JVM alike: the committed blobs
 * ({@code blobs/sha256/<2 hex>/<hex>}) and the fills in progress ({@code tmp/<hex>.<id>.part}).
 * It reads the layout the storage package documents, not its classes, so a test cannot pass by
 * asking the code under test about itself.
 */
public final class StoredBlobs {

  private StoredBlobs() {}

  /** The digests of the committed blob files under {@code dataDir} (manifests included). */
  public static Set<String> committed(Path dataDir) {
    Set<String> digests = new TreeSet<>();
    try (Stream<Path> files = Files.walk(dataDir.resolve("blobs").resolve("sha256"))) {
      files.filter(Files::isRegularFile)
          .map(file -> "sha256:" + file.getFileName())
          .filter(Sha256::isDigest)
          .forEach(digests::add);
    } catch (IOException | UncheckedIOException e) {
      // No blobs/ yet, or a recovery deleting while the tree is walked: what was read so far.
      return digests;
    }
    return digests;
  }

  /** The digests of the blobs being filled under {@code dataDir} (their temp files). */
  public static Set<String> filling(Path dataDir) {
    Set<String> digests = new TreeSet<>();
    try (Stream<Path> files = Files.list(dataDir.resolve("tmp"))) {
      files.map(file -> file.getFileName().toString())
          .filter(name -> name.endsWith(".part") && name.indexOf('.') > 0)
          .map(name -> "sha256:" + name.substring(0, name.indexOf('.')))
          .filter(Sha256::isDigest)
          .forEach(digests::add);
    } catch (IOException | UncheckedIOException e) {
      return digests;
    }
    return digests;
  }

  /** The total size of the committed blob files among {@code digests} under {@code dataDir}. */
  public static long bytesOf(Path dataDir, Set<String> digests) {
    long total = 0;
    for (String digest : committed(dataDir)) {
      if (digests.contains(digest)) {
        String hex = Sha256.hex(digest);
        try {
          total += Files.size(dataDir.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex));
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read the size of blob " + digest, e);
        }
      }
    }
    return total;
  }
}
