package io.layercake.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.oci.MediaType;
import java.io.IOException;
import java.util.Optional;

/**
 * Recovers a manifest's media type from its JSON. Only needed for a manifest whose index entry
 * was lost in a crash: normally the type upstream sent is stored with the bytes.
 */
final class MediaTypeSniffer {

  private MediaTypeSniffer() {}

  static Optional<String> sniff(byte[] bytes) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(bytes);
    } catch (IOException e) {
      return Optional.empty();
    }
    if (root == null || !root.isObject()) {
      return Optional.empty();
    }
    String declared = root.path("mediaType").asText("");
    if (MediaType.isManifestType(declared)) {
      return Optional.of(declared);
    }
    if (root.path("schemaVersion").asInt() == 1) {
      return Optional.of(root.has("signatures") ? MediaType.DOCKER_MANIFEST_V1_SIGNED : MediaType.DOCKER_MANIFEST_V1);
    }
    if (root.has("manifests")) {
      return Optional.of(MediaType.OCI_INDEX);
    }
    return root.has("layers") ? Optional.of(MediaType.OCI_MANIFEST) : Optional.empty();
  }
}
