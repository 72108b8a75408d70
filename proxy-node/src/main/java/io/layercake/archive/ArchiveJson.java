package io.layercake.archive;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Json;
import io.layercake.oci.Digest;
import io.layercake.oci.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
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
    ObjectNode root = Json.MAPPER.createObjectNode();
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
    ArrayNode root = Json.MAPPER.createArrayNode();
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
   * manifest of its own (docker's legacy format). Written compactly, fields in spec order, and
   * straight to bytes: an archive may list a layer any number of times, and a tree of the
   * manifest would take several times its size.
   */
  public static byte[] buildManifest(Descriptor config, List<Descriptor> layers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 160 * layers.size());
    try (JsonGenerator json = Json.MAPPER.getFactory().createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("schemaVersion", 2);
      json.writeStringField("mediaType", MediaType.OCI_MANIFEST);
      json.writeFieldName("config");
      writeDescriptor(json, config);
      json.writeArrayFieldStart("layers");
      for (Descriptor layer : layers) {
        writeDescriptor(json, layer);
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory", e);
    }
    return out.toByteArray();
  }

  private static void writeDescriptor(JsonGenerator json, Descriptor descriptor) throws IOException {
    json.writeStartObject();
    json.writeStringField("mediaType", descriptor.mediaType());
    json.writeStringField("digest", descriptor.digest().toString());
    json.writeNumberField("size", descriptor.size());
    json.writeEndObject();
  }

  /**
   * What parsing may keep in memory. Every value a parse keeps is charged before it is kept, so a
   * caller that throws from {@link #charge} stops a document that would hold too much, however
   * its bytes are arranged: a few bytes of JSON can become a few hundred bytes of heap.
   */
  @FunctionalInterface
  public interface Budget {
    /** No limit, for JSON whose size something else has bounded (a registry's manifests). */
    Budget UNLIMITED = bytes -> {};

    /** Accounts for {@code bytes} more of heap; throws to refuse them. */
    void charge(long bytes);
  }

  /** Heap charged for a parsed descriptor besides its media type: the record, its digest, its hex. */
  public static final long DESCRIPTOR_COST = 200;

  /** The heap a kept string takes, charged as UTF-16 whatever its coder. */
  public static long stringCost(String text) {
    return 48 + 2L * text.length();
  }

  /**
   * An entry of {@code index.json}.
   *
   * @param descriptor the manifest or index it points at
   * @param imageName the full reference annotation, if any
   * @param refName the OCI ref name annotation (a tag, or a full reference), if any
   */
  public record IndexEntry(Descriptor descriptor, Optional<String> imageName, Optional<String> refName) {}

  /** Parses {@code index.json}, charging what it keeps to {@code budget}. */
  public static List<IndexEntry> parseIndex(byte[] json, Budget budget) {
    return JsonReading.parse(json, INDEX, parser -> {
      List<IndexEntry> entries = new ArrayList<>();
      boolean found = false;
      JsonReading.startObject(parser, INDEX + " is not a JSON object");
      while (JsonReading.nextField(parser)) {
        if (parser.currentName().equals("manifests")) {
          found = true;
          JsonReading.startArray(parser, INDEX + " has no \"manifests\" array");
          while (JsonReading.nextElement(parser)) {
            entries.add(JsonReading.descriptor(parser, INDEX, budget));
          }
        } else {
          parser.skipChildren();
        }
      }
      if (!found) {
        throw ArchiveErrors.invalid(INDEX + " has no \"manifests\" array");
      }
      return entries;
    });
  }

  /**
   * An entry of docker's {@code manifest.json}.
   *
   * @param config the archive path of the config
   * @param repoTags the names docker gives the image ({@code redis:7})
   * @param layers the archive paths of the layers, in order
   */
  public record DockerEntry(String config, List<String> repoTags, List<String> layers) {}

  /** Parses docker's {@code manifest.json}, charging what it keeps to {@code budget}. */
  public static List<DockerEntry> parseDockerManifest(byte[] json, Budget budget) {
    return JsonReading.parse(json, DOCKER_MANIFEST, parser -> {
      List<DockerEntry> entries = new ArrayList<>();
      JsonReading.startArray(parser, DOCKER_MANIFEST + " is not a JSON array");
      while (JsonReading.nextElement(parser)) {
        entries.add(dockerEntry(parser, budget));
      }
      return entries;
    });
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
    return references(mediaType, manifest, Budget.UNLIMITED);
  }

  /** Parses what a registry manifest ({@code mediaType}) refers to, charging what it keeps to {@code budget}. */
  public static References references(String mediaType, byte[] manifest, Budget budget) {
    String what = "manifest of type " + mediaType;
    boolean index = MediaType.isIndex(mediaType);
    return JsonReading.parse(manifest, what, parser -> {
      List<Descriptor> children = null;
      Descriptor config = null;
      List<Descriptor> layers = null;
      JsonReading.startObject(parser, "the " + what + " is not a JSON object");
      while (JsonReading.nextField(parser)) {
        String field = parser.currentName();
        if (index && field.equals("manifests")) {
          children = descriptors(parser, what, "manifests", budget);
        } else if (!index && field.equals("config")) {
          config = JsonReading.descriptor(parser, what, budget).descriptor();
        } else if (!index && field.equals("layers")) {
          layers = descriptors(parser, what, "layers", budget);
        } else {
          parser.skipChildren();
        }
      }
      if (index) {
        if (children == null) {
          throw ArchiveErrors.invalid(what + " has no \"manifests\" array");
        }
        return new References(children, Optional.empty(), List.of());
      }
      if (config == null) {
        throw ArchiveErrors.invalid("the " + what + " has no config (only schema 2 and OCI manifests can be loaded)");
      }
      if (layers == null) {
        throw ArchiveErrors.invalid(what + " has no \"layers\" array");
      }
      return new References(List.of(), Optional.of(config), layers);
    });
  }

  private static List<Descriptor> descriptors(JsonParser parser, String what, String field, Budget budget)
      throws IOException {
    List<Descriptor> descriptors = new ArrayList<>();
    JsonReading.startArray(parser, what + " has no \"" + field + "\" array");
    while (JsonReading.nextElement(parser)) {
      descriptors.add(JsonReading.descriptor(parser, what, budget).descriptor());
    }
    return descriptors;
  }

  private static DockerEntry dockerEntry(JsonParser parser, Budget budget) throws IOException {
    String config = "";
    List<String> tags = new ArrayList<>();
    List<String> layers = null;
    JsonReading.startObject(parser, DOCKER_MANIFEST + " has an entry without Config");
    while (JsonReading.nextField(parser)) {
      switch (parser.currentName()) {
        case "Config" -> config = JsonReading.string(parser, budget).orElse("");
        case "RepoTags" -> {
          // docker writes null for an image without a name.
          if (parser.currentToken() != JsonToken.VALUE_NULL) {
            tags = JsonReading.strings(parser, DOCKER_MANIFEST + " has RepoTags that are not a list of names", budget);
          }
        }
        case "Layers" -> layers = JsonReading.strings(parser, DOCKER_MANIFEST + " has no \"Layers\" array of paths",
            budget);
        default -> parser.skipChildren();
      }
    }
    if (config.isEmpty()) {
      throw ArchiveErrors.invalid(DOCKER_MANIFEST + " has an entry without Config");
    }
    if (layers == null) {
      throw ArchiveErrors.invalid(DOCKER_MANIFEST + " has no \"Layers\" array");
    }
    return new DockerEntry(config, tags, layers);
  }

  private static ObjectNode descriptor(ObjectNode node, Descriptor descriptor) {
    node.put("mediaType", descriptor.mediaType());
    node.put("digest", descriptor.digest().toString());
    node.put("size", descriptor.size());
    return node;
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

}
