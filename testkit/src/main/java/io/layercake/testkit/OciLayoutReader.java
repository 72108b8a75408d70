package io.layercake.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads an OCI image layout, typically one a client such as skopeo pulled into, so a test can check
 * what arrived against what was generated.
 */
public final class OciLayoutReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One entry of a layout's {@code index.json}.
   *
   * @param mediaType the manifest's media type
   * @param digest the manifest's digest
   * @param size the manifest's size
   * @param refName the {@code org.opencontainers.image.ref.name} annotation, or {@code null}
   */
  public record Descriptor(String mediaType, String digest, long size, String refName) {}

  private OciLayoutReader() {}

  /** The entries of {@code dir/index.json}. */
  public static List<Descriptor> index(Path dir) {
    JsonNode index = readJson(dir.resolve("index.json"));
    List<Descriptor> entries = new ArrayList<>();
    for (JsonNode entry : index.path("manifests")) {
      entries.add(
          new Descriptor(
              entry.path("mediaType").asText(),
              entry.path("digest").asText(),
              entry.path("size").asLong(),
              entry.path("annotations").path("org.opencontainers.image.ref.name").asText(null)));
    }
    return entries;
  }

  /** The single entry of {@code dir/index.json}; throws if there are none or several. */
  public static Descriptor onlyEntry(Path dir) {
    List<Descriptor> entries = index(dir);
    if (entries.size() != 1) {
      throw new IllegalStateException(
          "expected one entry in " + dir.resolve("index.json") + ", found " + entries);
    }
    return entries.get(0);
  }

  /** Whether the layout holds a blob file for {@code digest}. */
  public static boolean hasBlob(Path dir, String digest) {
    return Files.isRegularFile(blobPath(dir, digest));
  }

  /** The bytes of the blob (or manifest) {@code digest}. */
  public static byte[] readBlob(Path dir, String digest) {
    try {
      return Files.readAllBytes(blobPath(dir, digest));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read blob " + digest + " in " + dir, e);
    }
  }

  /**
   * Walks everything reachable from {@code index.json} (indexes, manifests, configs, layers),
   * checks each file's digest and size against its descriptor, and returns every digest seen,
   * manifests included, in walk order.
   *
   * @throws IllegalStateException naming the first missing or mismatched blob
   */
  public static Set<String> verifiedDigests(Path dir) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<JsonNode> todo = new ArrayDeque<>();
    readJson(dir.resolve("index.json")).path("manifests").forEach(todo::add);
    while (!todo.isEmpty()) {
      JsonNode descriptor = todo.pop();
      String digest = descriptor.path("digest").asText();
      if (!seen.add(digest)) {
        continue;
      }
      verifyFile(dir, digest, descriptor.path("size").asLong());
      String mediaType = descriptor.path("mediaType").asText();
      if (MediaTypes.isIndex(mediaType)) {
        readJson(blobPath(dir, digest)).path("manifests").forEach(todo::add);
      } else if (MediaTypes.ALL_MANIFESTS.contains(mediaType)) {
        JsonNode manifest = readJson(blobPath(dir, digest));
        todo.add(manifest.path("config"));
        manifest.path("layers").forEach(todo::add);
      }
    }
    return seen;
  }

  private static void verifyFile(Path dir, String digest, long size) {
    Path file = blobPath(dir, digest);
    MessageDigest sha = Sha256.newMessageDigest();
    long length = 0;
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        sha.update(buffer, 0, n);
        length += n;
      }
    } catch (IOException e) {
      throw new IllegalStateException("blob " + digest + " is missing from " + dir, e);
    }
    String actual = Sha256.format(sha);
    if (!actual.equals(digest) || length != size) {
      throw new IllegalStateException(
          "blob file "
              + file
              + " has digest "
              + actual
              + " and size "
              + length
              + ", but its descriptor says "
              + digest
              + " and "
              + size);
    }
  }

  private static Path blobPath(Path dir, String digest) {
    return dir.resolve("blobs").resolve("sha256").resolve(Sha256.hex(digest));
  }

  private static JsonNode readJson(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read JSON " + file, e);
    }
  }
}
