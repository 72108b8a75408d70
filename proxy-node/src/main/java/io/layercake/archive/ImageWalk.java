package io.layercake.archive;

import io.layercake.oci.Digest;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/*
 * Implementation notes
 *
 * An index names manifests, and may name other indexes. The walk from each image of an archive
 * down to its configs and layers is a walk of a graph the client wrote, so three things bound it:
 *
 * - A visited set: each manifest is read and walked once, however many indexes name it. Without
 *   it an index naming the level below twice doubles the work per level: 40 levels of a 40 KB
 *   archive were 2^40 walks.
 * - A depth limit (max-index-depth): the walk recurses once per index level, and no image needs
 *   more than a few (docker and layercake write one).
 * - Cycle detection: the indexes on the way down are kept, and a child among them is refused.
 *   Content addressing makes a true cycle a sha256 fixpoint, but the check costs one set and
 *   does not depend on every source of manifests verifying what it returns.
 */

/** The manifests and blobs an archive's images need, found by walking down from each image's top manifest or index. */
public final class ImageWalk {

  /** What the walk asks of the archive being loaded. */
  public interface Source {
    /** Whether the archive or the node holds {@code digest}. */
    boolean has(Digest digest);

    /** The manifest or index a descriptor names, read and checked against the descriptor. */
    ManifestContent manifest(Descriptor descriptor);

    /** What a manifest refers to. */
    ArchiveJson.References references(ManifestContent manifest);

    /** Checks that a config or layer a manifest needs is there, with the descriptor's size. */
    void need(Descriptor blob, ManifestContent manifest);
  }

  /**
   * One image's top, walked.
   *
   * @param manifest the top manifest or index
   * @param config the config of a single image manifest; empty for an index
   */
  public record Walked(ManifestContent manifest, Optional<Digest> config) {}

  private final Source source;
  private final int maxDepth;
  private final String maxDepthKey;
  private final Map<Digest, Walked> walked = new HashMap<>();
  private final Map<Digest, ManifestContent> manifests = new LinkedHashMap<>();
  private final Set<Digest> blobs = new LinkedHashSet<>();
  /** The indexes from the current top down to the manifest being walked. */
  private final LinkedHashSet<Digest> path = new LinkedHashSet<>();

  /**
   * A walk over {@code source} that refuses indexes nested deeper than {@code maxDepth}, the
   * setting {@code maxDepthKey} (named in the refusal).
   */
  public ImageWalk(Source source, int maxDepth, String maxDepthKey) {
    this.source = source;
    this.maxDepth = maxDepth;
    this.maxDepthKey = maxDepthKey;
  }

  /** Walks the image whose top {@code top} names (an index.json entry). */
  public Walked add(Descriptor top) {
    return walk(top, 0);
  }

  /** Every manifest and index walked, in the order first met. */
  public Collection<ManifestContent> manifests() {
    return manifests.values();
  }

  /** Every config and layer the walked images need, in the order first met. */
  public Set<Digest> blobs() {
    return blobs;
  }

  private Walked walk(Descriptor descriptor, int indexesAbove) {
    Walked done = walked.get(descriptor.digest());
    if (done != null) {
      return done;
    }
    ManifestContent manifest = source.manifest(descriptor);
    ArchiveJson.References refs = source.references(manifest);
    Walked result;
    if (MediaType.isIndex(manifest.mediaType())) {
      walkIndex(manifest, refs, indexesAbove + 1);
      result = new Walked(manifest, Optional.empty());
    } else {
      Descriptor config = refs.config().orElseThrow();
      source.need(config, manifest);
      blobs.add(config.digest());
      for (Descriptor layer : refs.layers()) {
        source.need(layer, manifest);
        blobs.add(layer.digest());
      }
      result = new Walked(manifest, Optional.of(config.digest()));
    }
    manifests.put(manifest.digest(), manifest);
    walked.put(manifest.digest(), result);
    return result;
  }

  private void walkIndex(ManifestContent index, ArchiveJson.References refs, int depth) {
    if (depth > maxDepth) {
      throw ArchiveErrors.invalid("indexes nest deeper than " + maxDepth + " levels at " + index.digest() + " ("
          + maxDepthKey + ")");
    }
    path.add(index.digest());
    try {
      int present = 0;
      for (Descriptor child : refs.children()) {
        if (path.contains(child.digest())) {
          throw ArchiveErrors.invalid("index " + index.digest() + " names " + child.digest() + ", which leads back to it: "
              + path.stream().map(Digest::toString).collect(Collectors.joining(" -> ")) + " -> " + child.digest());
        }
        // docker save (containerd store) and layercake save keep only some platforms of an index.
        if (walked.containsKey(child.digest()) || source.has(child.digest())) {
          walk(child, depth);
          present++;
        }
      }
      if (present == 0) {
        throw ArchiveErrors.invalid("the archive holds none of the manifests of index " + index.digest());
      }
    } finally {
      path.remove(index.digest());
    }
  }
}
