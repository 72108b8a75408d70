package io.layercake.eviction;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.oci.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The digests a manifest refers to: for an index (or manifest list), its platform manifests; for
 * an image manifest, its config and layers. Anything that is not a digest is ignored: the
 * manifest was verified against its digest when stored, but its fields are upstream's.
 *
 * @param manifests the platform manifests of an index; empty for an image manifest
 * @param config the config blob of an image manifest, or null
 * @param blobs the config and layers of an image manifest; empty for an index
 */
public record ManifestReferences(List<Digest> manifests, Digest config, List<Digest> blobs) {

  /** The references in {@code bytes}; none if they are not JSON. */
  public static ManifestReferences of(byte[] bytes) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return new ManifestReferences(List.of(), null, List.of());
    }
    List<Digest> manifests = new ArrayList<>();
    for (JsonNode entry : root.path("manifests")) {
      add(entry.path("digest").asText(""), manifests);
    }
    List<Digest> blobs = new ArrayList<>();
    add(root.path("config").path("digest").asText(""), blobs);
    Digest config = blobs.isEmpty() ? null : blobs.get(0);
    for (JsonNode layer : root.path("layers")) {
      add(layer.path("digest").asText(""), blobs);
    }
    // Docker schema 1 manifests name their layers under fsLayers[].blobSum.
    for (JsonNode layer : root.path("fsLayers")) {
      add(layer.path("blobSum").asText(""), blobs);
    }
    return new ManifestReferences(List.copyOf(manifests), config, List.copyOf(blobs));
  }

  private static void add(String text, List<Digest> into) {
    if (Digest.isDigest(text)) {
      into.add(Digest.parse(text));
    }
  }
}
