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
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Reads what skopeo pulled into its {@code dir:DIR} layout (see {@link DirLayoutWriter}). Unlike an
 * OCI layout, this layout holds every manifest type unchanged, Docker manifest lists included, so
 * it is where a test pulls an image whose exact bytes it wants to compare.
 */
public final class DirLayoutReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DirLayoutReader() {}

  /**
   * The top manifest ({@code manifest.json}) exactly as pulled. The layout records no media type,
   * so it is taken from the manifest's own {@code mediaType} field, or for an OCI manifest that
   * omits it, from its shape.
   */
  public static Manifest topManifest(Path dir) {
    return manifest(dir.resolve("manifest.json"));
  }

  /**
   * Walks everything reachable from {@code manifest.json} (platform manifests, configs, layers),
   * checks each file against its descriptor's digest and size, and returns every digest seen,
   * manifests included, in walk order.
   *
   * @throws IllegalStateException naming the first missing or mismatched file
   */
  public static Set<String> verifiedDigests(Path dir) {
    Set<String> seen = new LinkedHashSet<>();
    Deque<Manifest> manifests = new ArrayDeque<>();
    manifests.add(topManifest(dir));
    while (!manifests.isEmpty()) {
      Manifest manifest = manifests.pop();
      if (!seen.add(manifest.digest())) {
        continue;
      }
      JsonNode json = readJson(manifest.bytes());
      if (manifest.isIndex()) {
        for (JsonNode entry : json.path("manifests")) {
          Manifest child =
              manifest(dir.resolve(Sha256.hex(entry.path("digest").asText()) + ".manifest.json"));
          checkDescriptor(entry, child.digest(), child.size());
          manifests.add(child);
        }
      } else {
        verifyBlob(dir, json.path("config"), seen);
        for (JsonNode layer : json.path("layers")) {
          verifyBlob(dir, layer, seen);
        }
      }
    }
    return seen;
  }

  private static Manifest manifest(Path file) {
    try {
      byte[] bytes = Files.readAllBytes(file);
      JsonNode json = readJson(bytes);
      String mediaType = json.path("mediaType").asText("");
      if (mediaType.isEmpty()) {
        // the OCI spec makes the field optional; an index is the manifest with "manifests"
        mediaType = json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
      }
      return Manifest.of(mediaType, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest " + file, e);
    }
  }

  private static void verifyBlob(Path dir, JsonNode descriptor, Set<String> seen) {
    String digest = descriptor.path("digest").asText();
    if (!seen.add(digest)) {
      return;
    }
    Path file = dir.resolve(Sha256.hex(digest));
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
    checkDescriptor(descriptor, Sha256.format(sha), length);
  }

  private static void checkDescriptor(JsonNode descriptor, String digest, long size) {
    if (!digest.equals(descriptor.path("digest").asText())
        || size != descriptor.path("size").asLong()) {
      throw new IllegalStateException(
          "pulled content has digest "
              + digest
              + " and size "
              + size
              + ", but its descriptor says "
              + descriptor);
    }
  }

  private static JsonNode readJson(byte[] bytes) {
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot parse manifest JSON", e);
    }
  }
}
