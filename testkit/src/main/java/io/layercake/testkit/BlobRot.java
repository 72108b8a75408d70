package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Damages committed blob files the ways disks and people do, in place, for the tests of the checks
 * that must catch them. Like {@link StoredBlobs}, it finds files by the layout the storage package
 * documents ({@code blobs/sha256/<2 hex>/<hex>}), not through its classes.
 */
public final class BlobRot {

  private BlobRot() {}

  /** The committed file of {@code digest} under {@code dataDir}. */
  public static Path fileOf(Path dataDir, String digest) {
    String hex = Sha256.hex(digest);
    return dataDir.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex);
  }

  /** Cuts the file to its first {@code size} bytes (a torn write, a full disk, a bad copy). */
  public static void truncate(Path dataDir, String digest, long size) {
    try (FileChannel file = FileChannel.open(fileOf(dataDir, digest), StandardOpenOption.WRITE)) {
      file.truncate(size);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot truncate the file of " + digest, e);
    }
  }

  /** Appends {@code bytes} to the file. */
  public static void extend(Path dataDir, String digest, byte[] bytes) {
    try {
      Files.write(fileOf(dataDir, digest), bytes, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extend the file of " + digest, e);
    }
  }

  /** Flips the lowest bit of the byte at {@code offset}, in place: the size stays the same. */
  public static void flipBit(Path dataDir, String digest, long offset) {
    try (FileChannel file = FileChannel.open(fileOf(dataDir, digest), StandardOpenOption.READ,
        StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      if (file.read(one, offset) != 1) {
        throw new IllegalArgumentException("the file of " + digest + " has no byte at " + offset);
      }
      one.put(0, (byte) (one.get(0) ^ 1));
      one.rewind();
      file.write(one, offset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot flip a bit in the file of " + digest, e);
    }
  }

  /** Overwrites the file of {@code digest}, in place, with the bytes of {@code other}'s file. */
  public static void swap(Path dataDir, String digest, String other) {
    try (FileChannel file = FileChannel.open(fileOf(dataDir, digest), StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(fileOf(dataDir, other)));
      while (bytes.hasRemaining()) {
        file.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot put the bytes of " + other + " in the file of " + digest, e);
    }
  }

  /** The names of the files in {@code <dataDir>/quarantine/}, sorted; empty if there is none. */
  public static List<String> quarantined(Path dataDir) {
    Path dir = dataDir.resolve("quarantine");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}
