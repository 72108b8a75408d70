package io.layercake.archive;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/*
 * Implementation notes
 *
 * What an archive holds, as docker save (25 and later) writes it, and as layercake's save writes
 * it too:
 *   oci-layout            {"imageLayoutVersion":"1.0.0"}
 *   index.json            one descriptor per saved image, named by annotations:
 *                         io.containerd.image.name (the full reference) and
 *                         org.opencontainers.image.ref.name (the tag)
 *   manifest.json         docker's legacy list: [{"Config": path, "RepoTags": [...], "Layers": [paths]}]
 *   blobs/sha256/<hex>    every manifest, config and layer, named by its digest
 * Older docker save (before 25) writes only manifest.json, with "<image id>.json" configs and
 * "<layer id>/layer.tar" layers (uncompressed), possibly as links to one another.
 *
 * layercake saves the registry's own manifests and compressed layers, so index.json points at
 * the very manifest (or index) the tag points at, and a load reproduces every digest. docker's
 * manifest.json then lists compressed layer files, which docker load decompresses.
 */

/** The JSON files of an image archive: written for {@code save}, parsed for {@code load}. */
public final class ArchiveJson {

  /** The OCI layout marker file. */
  public static final String OCI_LAYOUT = "oci-layout";
  /** The OCI layout's index. */
  public static final String INDEX = "index.json";
  /** docker's legacy manifest list. */
  public static final String DOCKER_MANIFEST = "manifest.json";
  /** The folder of blobs in the OCI layout. */
  public static final String BLOBS_DIR = "blobs/sha256/";
  /** The annotation with an image's full reference (containerd and docker 25+). */
  public static final String IMAGE_NAME_ANNOTATION = "io.containerd.image.name";
  /** The OCI annotation naming an image in a layout (a tag, or a full reference). */
  public static final String REF_NAME_ANNOTATION = "org.opencontainers.image.ref.name";
  /** Media type of an uncompressed layer in an OCI manifest. */
  public static final String OCI_LAYER_TAR = "application/vnd.oci.image.layer.v1.tar";
  /** Media type of a gzip-compressed layer in an OCI manifest. */
  public static final String OCI_LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
  /** Media type of an OCI image config. */
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";

  private static final ObjectMapper JSON = new ObjectMapper();

  private ArchiveJson() {}

  /** The archive path of a blob. */
  public static String blobPath(Digest digest) {
    return BLOBS_DIR + digest.hex();
  }

  /** The digest an archive path names, if it is {@code blobs/sha256/<hex>}. */
  public static Optional<Digest> digestOfPath(String path) {
    if (!path.startsWith(BLOBS_DIR)) {
      return Optional.empty();
    }
    String candidate = Digest.ALGORITHM + ":" + path.substring(BLOBS_DIR.length());
    return Digest.isDigest(candidate) ? Optional.of(Digest.parse(candidate)) : Optional.empty();
  }

  /** The {@code oci-layout} file. */
  public static byte[] ociLayout() {
    return "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);
  }

  /** The {@code index.json} of the saved images. */
  public static byte[] index(List<SavedImage> images) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaType.OCI_INDEX);
    ArrayNode manifests = root.putArray("manifests");
    for (SavedImage image : images) {
      ObjectNode descriptor = descriptor(manifests.addObject(), image.top());
      if (image.name().isPresent() || image.tag().isPresent()) {
        ObjectNode annotations = descriptor.putObject("annotations");
        image.name().ifPresent(name -> annotations.put(IMAGE_NAME_ANNOTATION, name));
        image.tag().ifPresent(tag -> annotations.put(REF_NAME_ANNOTATION, tag));
      }
    }
    return bytes(root);
  }

  /** docker's {@code manifest.json} of the saved images. */
  public static byte[] dockerManifest(List<SavedImage> images) {
    ArrayNode root = JSON.createArrayNode();
    for (SavedImage image : images) {
      ObjectNode entry = root.addObject();
      entry.put("Config", blobPath(image.config().digest()));
      ArrayNode tags = entry.putArray("RepoTags");
      image.repoTag().ifPresent(tags::add);
      ArrayNode layers = entry.putArray("Layers");
      image.layers().forEach(layer -> layers.add(blobPath(layer.digest())));
    }
    return bytes(root);
  }

  /**
   * An OCI image manifest over a config and layers, for an archive that has no registry
   * manifest of its own (docker's legacy format). Written compactly, fields in spec order.
   */
  public static byte[] buildManifest(Descriptor config, List<Descriptor> layers) {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaType.OCI_MANIFEST);
    descriptor(root.putObject("config"), config);
    ArrayNode array = root.putArray("layers");
    layers.forEach(layer -> descriptor(array.addObject(), layer));
    return bytes(root);
  }

  /**
   * An entry of {@code index.json}.
   *
   * @param descriptor the manifest or index it points at
   * @param imageName the full reference annotation, if any
   * @param refName the OCI ref name annotation (a tag, or a full reference), if any
   */
  public record IndexEntry(Descriptor descriptor, Optional<String> imageName, Optional<String> refName) {}

  /** Parses {@code index.json}. */
  public static List<IndexEntry> parseIndex(byte[] json) {
    JsonNode root = read(json, INDEX);
    List<IndexEntry> entries = new ArrayList<>();
    for (JsonNode node : array(root, "manifests", INDEX)) {
      JsonNode annotations = node.path("annotations");
      entries.add(new IndexEntry(parseDescriptor(node, INDEX),
          text(annotations, IMAGE_NAME_ANNOTATION), text(annotations, REF_NAME_ANNOTATION)));
    }
    return entries;
  }

  /**
   * An entry of docker's {@code manifest.json}.
   *
   * @param config the archive path of the config
   * @param repoTags the names docker gives the image ({@code redis:7})
   * @param layers the archive paths of the layers, in order
   */
  public record DockerEntry(String config, List<String> repoTags, List<String> layers) {}

  /** Parses docker's {@code manifest.json}. */
  public static List<DockerEntry> parseDockerManifest(byte[] json) {
    JsonNode root = read(json, DOCKER_MANIFEST);
    if (!root.isArray()) {
      throw invalid(DOCKER_MANIFEST + " is not a JSON array");
    }
    List<DockerEntry> entries = new ArrayList<>();
    for (JsonNode node : root) {
      String config = node.path("Config").asText("");
      if (config.isEmpty()) {
        throw invalid(DOCKER_MANIFEST + " has an entry without Config");
      }
      List<String> tags = new ArrayList<>();
      node.path("RepoTags").forEach(tag -> tags.add(tag.asText()));
      List<String> layers = new ArrayList<>();
      array(node, "Layers", DOCKER_MANIFEST).forEach(layer -> layers.add(layer.asText()));
      entries.add(new DockerEntry(config, tags, layers));
    }
    return entries;
  }

  /**
   * What a manifest or index refers to.
   *
   * @param children for an index, its manifests; empty otherwise
   * @param config for an image manifest, its config; empty otherwise
   * @param layers for an image manifest, its layers
   */
  public record References(List<Descriptor> children, Optional<Descriptor> config, List<Descriptor> layers) {}

  /** Parses what a registry manifest ({@code mediaType}) refers to. */
  public static References references(String mediaType, byte[] manifest) {
    String what = "manifest of type " + mediaType;
    JsonNode root = read(manifest, what);
    if (MediaType.isIndex(mediaType)) {
      List<Descriptor> children = new ArrayList<>();
      array(root, "manifests", what).forEach(node -> children.add(parseDescriptor(node, what)));
      return new References(children, Optional.empty(), List.of());
    }
    if (!root.has("config")) {
      throw invalid("the " + what + " has no config (only schema 2 and OCI manifests can be loaded)");
    }
    List<Descriptor> layers = new ArrayList<>();
    array(root, "layers", what).forEach(node -> layers.add(parseDescriptor(node, what)));
    return new References(List.of(), Optional.of(parseDescriptor(root.path("config"), what)), layers);
  }

  private static ObjectNode descriptor(ObjectNode node, Descriptor descriptor) {
    node.put("mediaType", descriptor.mediaType());
    node.put("digest", descriptor.digest().toString());
    node.put("size", descriptor.size());
    return node;
  }

  private static Descriptor parseDescriptor(JsonNode node, String what) {
    String mediaType = node.path("mediaType").asText("");
    String digest = node.path("digest").asText("");
    if (mediaType.isEmpty() || !Digest.isDigest(digest) || !node.path("size").canConvertToLong()
        || node.path("size").asLong() < 0) {
      throw invalid("the " + what + " has a descriptor without a valid mediaType, sha256 digest and size");
    }
    return new Descriptor(mediaType, Digest.parse(digest), node.path("size").asLong());
  }

  private static JsonNode read(byte[] json, String what) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null || root.isMissingNode()) {
        throw invalid(what + " is empty");
      }
      return root;
    } catch (IOException e) {
      throw invalid(what + " is not valid JSON");
    }
  }

  private static JsonNode array(JsonNode node, String field, String what) {
    JsonNode array = node.path(field);
    if (!array.isArray()) {
      throw invalid(what + " has no \"" + field + "\" array");
    }
    return array;
  }

  private static Optional<String> text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() && !value.asText().isEmpty() ? Optional.of(value.asText()) : Optional.empty();
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static OciException invalid(String detail) {
    return new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "invalid image archive", detail);
  }
}
