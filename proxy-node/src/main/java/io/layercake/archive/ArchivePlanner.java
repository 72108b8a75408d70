package io.layercake.archive;

import io.layercake.oci.Digest;
import io.layercake.oci.ImageReference;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/*
 * Implementation notes
 *
 * The images come from index.json (preferred: it names the real registry manifests) or else from
 * docker's manifest.json. Every blob a manifest refers to must be in the archive or already on
 * this node, with the size the manifest says; nothing is committed here.
 *
 * Everything kept is charged to the load's memory first: index.json's and manifest.json's parsed
 * entries (by the parsers), each manifest read from a temp file, each built manifest and each
 * image name. The work is linear in the archive: the walk reads each manifest once (ImageWalk),
 * the names docker gives each config are worked out once rather than per index entry (an index of
 * N entries and a manifest.json of N entries were N^2), and a layer's media type is sniffed once
 * however often manifest.json lists it.
 */

/**
 * Works out a staged archive's images and what they need, committing nothing: the pure part of a
 * {@code load}, between reading the archive and committing its blobs. Every refusal is an
 * {@link ArchiveErrors} exception.
 */
public final class ArchivePlanner {

  /** Heap charged per image name besides its text: the parsed reference and its tagging. */
  public static final long NAME_COST = 256;

  private final StagedArchive archive;
  private final Limits limits;
  private final ArchiveJson.Budget memory;
  private final Map<Digest, String> layerMediaTypes = new HashMap<>();

  /**
   * The limits a plan keeps to, with the settings that set them (named in refusals).
   *
   * @param maxJsonSize the largest manifest read into memory
   * @param maxJsonSizeKey its setting
   * @param maxIndexDepth how deep indexes may nest
   * @param maxIndexDepthKey its setting
   */
  public record Limits(long maxJsonSize, String maxJsonSizeKey, int maxIndexDepth, String maxIndexDepthKey) {}

  /**
   * What a load will do.
   *
   * @param images the images with the names they will be tagged with
   * @param manifests every manifest and index to store, with its media type
   * @param blobs every config and layer the images need
   */
  public record Plan(List<PlannedImage> images, List<ManifestContent> manifests, List<Digest> blobs) {}

  /**
   * One image of the archive.
   *
   * @param names the references to point at it (none: stored by digest only)
   * @param top its manifest or index
   */
  public record PlannedImage(List<ImageReference> names, ManifestContent top) {}

  /** A planner over {@code archive}, within {@code limits}, charging what it keeps to {@code memory}. */
  public ArchivePlanner(StagedArchive archive, Limits limits, ArchiveJson.Budget memory) {
    this.archive = archive;
    this.limits = limits;
    this.memory = memory;
  }

  /** The plan; refuses an archive whose images are not all there. */
  public Plan plan() {
    Optional<byte[]> index = archive.json(ArchiveJson.INDEX);
    Optional<byte[]> docker = archive.json(ArchiveJson.DOCKER_MANIFEST);
    if (index.isPresent()) {
      return planFromIndex(index.get(), docker);
    }
    if (docker.isPresent()) {
      return planFromDockerManifest(docker.get());
    }
    throw ArchiveErrors.invalid("the archive has neither index.json nor manifest.json: not a docker save or OCI layout");
  }

  private Plan planFromIndex(byte[] indexJson, Optional<byte[]> dockerJson) {
    List<ArchiveJson.IndexEntry> entries = ArchiveJson.parseIndex(indexJson, memory);
    Map<Digest, List<String>> dockerNames = dockerJson.map(this::dockerNamesByConfig).orElse(Map.of());
    ImageWalk walk = new ImageWalk(new WalkSource(), limits.maxIndexDepth(), limits.maxIndexDepthKey());
    List<PlannedImage> images = new ArrayList<>();
    for (ArchiveJson.IndexEntry entry : entries) {
      ImageWalk.Walked top = walk.add(entry.descriptor());
      images.add(new PlannedImage(names(entry, top.config(), dockerNames), top.manifest()));
    }
    return new Plan(images, List.copyOf(walk.manifests()), List.copyOf(walk.blobs()));
  }

  /**
   * docker's legacy format has uncompressed layers and no registry manifest: the plan builds an
   * OCI manifest whose layer descriptors are the layer files as stored.
   */
  private Plan planFromDockerManifest(byte[] dockerJson) {
    Map<Digest, ManifestContent> manifests = new LinkedHashMap<>();
    Set<Digest> blobs = new LinkedHashSet<>();
    List<PlannedImage> images = new ArrayList<>();
    for (ArchiveJson.DockerEntry entry : ArchiveJson.parseDockerManifest(dockerJson, memory)) {
      StagedArchive.Member config = archive.member(entry.config());
      List<Descriptor> layers = new ArrayList<>();
      for (String path : entry.layers()) {
        StagedArchive.Member layer = archive.member(path);
        memory.charge(ArchiveJson.DESCRIPTOR_COST);
        layers.add(new Descriptor(layerMediaType(layer), layer.digest(), layer.size()));
        blobs.add(layer.digest());
      }
      blobs.add(config.digest());
      byte[] bytes = ArchiveJson.buildManifest(
          new Descriptor(ArchiveJson.OCI_CONFIG, config.digest(), config.size()), layers);
      memory.charge(bytes.length);
      ManifestContent manifest = new ManifestContent(Digest.sha256Of(bytes), MediaType.OCI_MANIFEST, bytes);
      manifests.put(manifest.digest(), manifest);
      images.add(new PlannedImage(parseNames(entry.repoTags()), manifest));
    }
    return new Plan(images, List.copyOf(manifests.values()), List.copyOf(blobs));
  }

  /** The names docker's manifest.json gives each config, worked out once for every index entry. */
  private Map<Digest, List<String>> dockerNamesByConfig(byte[] dockerJson) {
    Map<Digest, List<String>> names = new HashMap<>();
    for (ArchiveJson.DockerEntry docker : ArchiveJson.parseDockerManifest(dockerJson, memory)) {
      if (archive.hasMember(docker.config())) {
        names.computeIfAbsent(archive.member(docker.config()).digest(), digest -> new ArrayList<>())
            .addAll(docker.repoTags());
      }
    }
    return names;
  }

  private List<ImageReference> names(ArchiveJson.IndexEntry entry, Optional<Digest> config,
      Map<Digest, List<String>> dockerNames) {
    if (entry.imageName().isPresent()) {
      return parseNames(List.of(entry.imageName().get()));
    }
    Optional<String> refName = entry.refName();
    if (refName.isPresent() && (refName.get().contains("/") || refName.get().contains(":"))) {
      return parseNames(List.of(refName.get()));
    }
    // A bare tag names no repository: take the names docker's manifest.json gives the same config.
    return parseNames(config.map(digest -> dockerNames.getOrDefault(digest, List.of())).orElse(List.of()));
  }

  private List<ImageReference> parseNames(List<String> names) {
    List<ImageReference> parsed = new ArrayList<>(names.size());
    for (String name : names) {
      memory.charge(NAME_COST + ArchiveJson.stringCost(name));
      parsed.add(parseName(name));
    }
    return parsed;
  }

  private static ImageReference parseName(String name) {
    try {
      return ImageReference.parse(name);
    } catch (OciException e) {
      throw ArchiveErrors.invalid("the archive names an image " + e.getMessage());
    }
  }

  /** uncompressed tar, or +gzip / +zstd by magic number. */
  private String layerMediaType(StagedArchive.Member layer) {
    return layerMediaTypes.computeIfAbsent(layer.digest(), digest -> sniffLayerMediaType(archive.head(layer, 4)));
  }

  private static String sniffLayerMediaType(byte[] head) {
    if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
      return ArchiveJson.OCI_LAYER_TAR_GZIP;
    }
    if (head.length >= 4 && (head[0] & 0xff) == 0x28 && (head[1] & 0xff) == 0xb5 && (head[2] & 0xff) == 0x2f
        && (head[3] & 0xff) == 0xfd) {
      return "application/vnd.oci.image.layer.v1.tar+zstd";
    }
    return ArchiveJson.OCI_LAYER_TAR;
  }

  /** What the image walk reads: manifests from the archive, charged; blobs from the archive or the node. */
  private final class WalkSource implements ImageWalk.Source {
    @Override
    public boolean has(Digest digest) {
      return archive.has(digest);
    }

    @Override
    public ManifestContent manifest(Descriptor descriptor) {
      if (!MediaType.isManifestType(descriptor.mediaType())) {
        throw ArchiveErrors.invalid("not a manifest media type: " + ArchiveErrors.shown(descriptor.mediaType()) + " for "
            + descriptor.digest());
      }
      StagedArchive.Member content = archive.content(descriptor.digest())
          .orElseThrow(() -> ArchiveErrors.invalid("the archive lacks manifest " + descriptor.digest()));
      if (content.size() != descriptor.size()) {
        throw ArchiveErrors.invalid("manifest " + descriptor.digest() + " is " + content.size()
            + " bytes, its descriptor says " + descriptor.size());
      }
      if (content.size() > limits.maxJsonSize()) {
        throw ArchiveErrors.overLimit("manifest " + descriptor.digest() + " is " + content.size() + " bytes, more than "
            + limits.maxJsonSize() + " (" + limits.maxJsonSizeKey() + ")");
      }
      if (!content.inMemory()) {
        memory.charge(content.size());
      }
      return new ManifestContent(descriptor.digest(), descriptor.mediaType(), archive.bytes(content));
    }

    @Override
    public ArchiveJson.References references(ManifestContent manifest) {
      return ArchiveJson.references(manifest.mediaType(), manifest.bytes(), memory);
    }

    @Override
    public void need(Descriptor descriptor, ManifestContent manifest) {
      StagedArchive.Member content = archive.contentOrHeld(descriptor.digest())
          .orElseThrow(() -> ArchiveErrors.invalid("the archive lacks blob " + descriptor.digest() + " of manifest "
              + manifest.digest()));
      if (content.size() != descriptor.size()) {
        throw ArchiveErrors.invalid("blob " + descriptor.digest() + " is " + content.size() + " bytes, manifest "
            + manifest.digest() + " says " + descriptor.size());
      }
    }
  }
}
