package io.layercake.admin;

import io.layercake.archive.StagedArchive;
import io.layercake.oci.Digest;
import io.layercake.storage.BlobStore;
import io.layercake.storage.BlobWriter;
import io.layercake.storage.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** A member of an archive being loaded, wherever its content waits until the load commits or drops it. */
sealed interface StagedContent extends StagedArchive.Member permits StagedContent.Held, StagedContent.Pending,
    StagedContent.Small, StagedContent.Spooled {

  /** The whole content; only called for manifests, whose size is capped. */
  default byte[] bytes(BlobStore store) {
    try {
      return Files.readAllBytes(path(store));
    } catch (IOException e) {
      throw new StorageException("read " + digest(), e);
    }
  }

  /** The first {@code count} bytes (fewer if shorter). */
  default byte[] head(BlobStore store, int count) {
    try (InputStream in = Files.newInputStream(path(store))) {
      return in.readNBytes(count);
    } catch (IOException e) {
      throw new StorageException("read " + digest(), e);
    }
  }

  /** Where the content is on disk. */
  Path path(BlobStore store);

  /** Drops whatever the content holds in tmp/ and the space it reserved; safe after a commit. */
  default void discard() {}

  /** Already committed on this node: the archive's copy was skipped. */
  record Held(Digest digest, long size) implements StagedContent {
    @Override
    public Path path(BlobStore store) {
      return store.pathOf(digest);
    }
  }

  /** Verified against its name, waiting in tmp/ to be committed. */
  record Pending(Digest digest, long size, BlobWriter writer) implements StagedContent {
    @Override
    public Path path(BlobStore store) {
      return writer.tempPath();
    }

    @Override
    public void discard() {
      // Harmless after a commit: the temp file has been renamed away.
      writer.abort();
    }
  }

  /** A small JSON file, held in memory (and charged to the load's memory budget). */
  record Small(Digest digest, byte[] bytes) implements StagedContent {
    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public boolean inMemory() {
      return true;
    }

    @Override
    public byte[] bytes(BlobStore store) {
      return bytes;
    }

    @Override
    public byte[] head(BlobStore store, int count) {
      return Arrays.copyOf(bytes, Math.min(count, bytes.length));
    }

    @Override
    public Path path(BlobStore store) {
      throw new IllegalStateException("held in memory");
    }
  }

  /** A file no name identified, hashed while spooled to tmp/. */
  record Spooled(Digest digest, long size, Path file) implements StagedContent {
    @Override
    public Path path(BlobStore store) {
      return file;
    }

    @Override
    public void discard() {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // Start-up recovery empties tmp/.
      }
    }
  }
}
