package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a test image in the layout of skopeo's {@code dir:DIR} transport: {@code manifest.json}
 * (the top manifest), {@code <hex>.manifest.json} per platform manifest of an index, one file
 * {@code <hex>} per blob, and a {@code version} file. Unlike an OCI layout, skopeo reads every
 * manifest type from it, so it is how Docker-typed images are pushed byte for byte.
 */
public final class DirLayoutWriter {

  // the version skopeo 1.9 writes and reads
  private static final String VERSION = "Directory Transport Version: 1.1\n";

  private DirLayoutWriter() {}

  /**
   * Writes {@code image} into {@code dir}, which must not exist or be empty.
   *
   * @return {@code dir}
   */
  public static Path write(Image image, Path dir) {
    try {
      Files.createDirectories(dir);
      try (var entries = Files.list(dir)) {
        if (entries.findAny().isPresent()) {
          throw new IllegalArgumentException("dir layout target must be empty: " + dir);
        }
      }
      Files.write(dir.resolve("manifest.json"), image.manifest().bytes());
      if (image.isMultiPlatform()) {
        for (PlatformManifest child : image.platformManifests()) {
          Manifest manifest = child.manifest();
          Files.write(
              dir.resolve(Sha256.hex(manifest.digest()) + ".manifest.json"), manifest.bytes());
        }
      }
      for (Blob blob : image.blobs()) {
        OciLayoutWriter.writeBlob(dir, blob.digest(), blob.bytes());
      }
      for (LargeBlob blob : image.largeBlobs()) {
        OciLayoutWriter.linkOrCopy(blob.file(), dir.resolve(Sha256.hex(blob.digest())));
      }
      Files.writeString(dir.resolve("version"), VERSION);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write dir layout " + dir, e);
    }
  }
}
