package io.layercake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes test images as an OCI image layout directory ({@code oci-layout}, {@code index.json},
 * {@code blobs/sha256/<hex>}), the format of skopeo's {@code oci:DIR:TAG} transport.
 *
 * <p>skopeo 1.9 (Debian bookworm) reads only OCI media types from a layout's {@code index.json}; a
 * Docker-typed image written here is a valid layout but skopeo refuses it ("no descriptor found"),
 * so {@link Skopeo#push(Image, String, String)} goes through {@link DirLayoutWriter}.
 */
public final class OciLayoutWriter {

  private static final String REF_NAME = "org.opencontainers.image.ref.name";
  private static final ObjectMapper JSON = new ObjectMapper();

  private OciLayoutWriter() {}

  /**
   * Adds {@code image} to the layout in {@code dir} (created if missing) under {@code tagName}. An
   * existing layout keeps its other tags; an entry with the same tag is replaced.
   *
   * @return {@code dir}
   */
  public static Path writeOciLayout(Image image, Path dir, String tagName) {
    if (tagName == null || !tagName.matches("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")) {
      throw new IllegalArgumentException("invalid tag name: " + tagName);
    }
    try {
      Path blobDir = dir.resolve("blobs").resolve("sha256");
      Files.createDirectories(blobDir);
      for (Manifest manifest : image.allManifests()) {
        writeBlob(blobDir, manifest.digest(), manifest.bytes());
      }
      for (Blob blob : image.blobs()) {
        writeBlob(blobDir, blob.digest(), blob.bytes());
      }
      for (LargeBlob blob : image.largeBlobs()) {
        linkOrCopy(blob.file(), blobDir.resolve(Sha256.hex(blob.digest())));
      }
      Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      writeIndex(dir.resolve("index.json"), image.manifest(), tagName);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write OCI layout " + dir, e);
    }
  }

  private static void writeIndex(Path indexFile, Manifest top, String tagName) throws IOException {
    List<Object> entries = new ArrayList<>();
    if (Files.exists(indexFile)) {
      for (JsonNode entry : JSON.readTree(indexFile.toFile()).path("manifests")) {
        if (!tagName.equals(entry.path("annotations").path(REF_NAME).asText(null))) {
          entries.add(entry);
        }
      }
    }
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("mediaType", top.mediaType());
    entry.put("digest", top.digest());
    entry.put("size", top.size());
    entry.put("annotations", Map.of(REF_NAME, tagName));
    entries.add(entry);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    index.put("manifests", entries);
    Files.write(indexFile, JSON.writeValueAsBytes(index));
  }

  /** Writes a blob file unless it is already there (content addressing makes it identical). */
  static void writeBlob(Path dir, String digest, byte[] bytes) throws IOException {
    Path file = dir.resolve(Sha256.hex(digest));
    if (!Files.exists(file)) {
      Files.write(file, bytes);
    }
  }

  /** Hard-links a large blob into place, falling back to a copy across file systems. */
  static void linkOrCopy(Path source, Path target) throws IOException {
    if (Files.exists(target)) {
      return;
    }
    try {
      Files.createLink(target, source);
    } catch (FileAlreadyExistsException e) {
      // a concurrent writer put the same content there
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(source, target);
    }
  }
}
