package io.layercake.eviction;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The whole cluster's cache at one moment, assembled from every node's {@link CacheKeeper}, and
 * the pure planning of what a removal deletes. No I/O: the tests drive it directly.
 *
 * <p>A blob is <em>referenced</em> when a cached image refers to it: through its tag's manifest,
 * an index's platform manifests, or a held manifest's config and layers. A blob no image
 * references is <em>dangling</em>: a layer of a tag that has moved on, of a removed tag, or a
 * manifest pulled only by digest.
 *
 * @param images the cached images, sorted by repository and tag
 * @param held every blob held on some node, by digest (sizes and access times merged over nodes)
 * @param pinned the digests some pin covers
 * @param busy the digests some node is serving or filling now
 * @param pins the pins, by {@link PinStore.Pin#key}
 * @param nodes how many nodes answered
 * @param referencesKnown whether the manifests of every cached image could be read; when not, some
 *     blob that looks dangling may be a layer of that image, so nothing is deleted as dangling
 */
public record Catalog(List<CachedImage> images, Map<Digest, HeldBlob> held, Set<Digest> pinned, Set<Digest> busy,
    Map<String, PinStore.Pin> pins, int nodes, boolean referencesKnown) {

  /**
   * A blob held somewhere in the cluster.
   *
   * @param digest the blob
   * @param size bytes
   * @param mediaType a manifest's media type, or null
   * @param storedAt the earliest commit on any node, epoch milliseconds
   * @param lastAccess the latest access on any node, epoch milliseconds
   */
  public record HeldBlob(Digest digest, long size, String mediaType, long storedAt, long lastAccess) {}

  /**
   * What a removal takes away.
   *
   * @param untag the images whose tags are removed
   * @param delete the blobs deleted, in digest order
   */
  public record Plan(List<CachedImage> untag, List<HeldBlob> delete) {

    /** Bytes the plan frees. */
    public long bytes() {
      return delete.stream().mapToLong(HeldBlob::size).sum();
    }
  }

  /** Builds the catalog from the nodes' contents and the references of every held manifest. */
  public static Catalog build(List<CacheKeeper.Contents> contents, Map<Digest, ManifestReferences> manifests) {
    Map<Digest, HeldBlob> held = new HashMap<>();
    Set<Digest> busy = new HashSet<>();
    Map<String, PinStore.Pin> pins = new LinkedHashMap<>();
    Map<String, CacheKeeper.TagEntry> tags = new HashMap<>();
    Map<String, CacheKeeper.PullEntry> pulls = new HashMap<>();
    for (CacheKeeper.Contents node : contents) {
      for (CacheKeeper.BlobEntry blob : node.blobs()) {
        Digest digest = Digest.parse(blob.digest());
        HeldBlob mine = new HeldBlob(digest, blob.size(), blob.mediaType(), blob.storedAt(), blob.lastAccess());
        held.merge(digest, mine, (a, b) -> new HeldBlob(digest, Math.max(a.size(), b.size()),
            a.mediaType() != null ? a.mediaType() : b.mediaType(), Math.min(a.storedAt(), b.storedAt()),
            Math.max(a.lastAccess(), b.lastAccess())));
      }
      // Each node counts the pulls it answered: the cluster's are their sum.
      for (CacheKeeper.PullEntry pull : node.pulls()) {
        pulls.merge(key(pull.upstream(), pull.repository(), pull.tag()), pull, (a, b) -> new CacheKeeper.PullEntry(
            a.upstream(), a.repository(), a.tag(), a.pulls() + b.pulls(), Math.max(a.lastPulled(), b.lastPulled())));
      }
      node.busy().forEach(d -> busy.add(Digest.parse(d)));
      node.pins().forEach(pin -> pins.putIfAbsent(pin.key(), pin));
      for (CacheKeeper.TagEntry tag : node.tags()) {
        // A tag whose entity moved is indexed on several nodes: the latest validation wins.
        tags.merge(key(tag.upstream(), tag.repository(), tag.tag()), tag,
            (a, b) -> a.validatedAt() >= b.validatedAt() ? a : b);
      }
    }
    Set<Digest> pinned = new HashSet<>();
    pins.values().forEach(pin -> pin.digests().forEach(d -> pinned.add(Digest.parse(d))));
    List<CachedImage> images = new ArrayList<>();
    for (CacheKeeper.TagEntry tag : tags.values()) {
      images.add(image(tag, pulls.get(key(tag.upstream(), tag.repository(), tag.tag())), held, manifests, pinned,
          busy));
    }
    images.sort(Comparator.comparing(CachedImage::repository).thenComparing(CachedImage::tag)
        .thenComparing(image -> image.upstream().value()));
    boolean referencesKnown = tags.values().stream()
        .allMatch(tag -> referencesKnown(Digest.parse(tag.digest()), manifests, held));
    return new Catalog(List.copyOf(images), Map.copyOf(held), Set.copyOf(pinned), Set.copyOf(busy),
        Map.copyOf(pins), contents.size(), referencesKnown);
  }

  private static String key(UpstreamName upstream, String repository, String tag) {
    return upstream + " " + repository + ":" + tag;
  }

  private static CachedImage image(CacheKeeper.TagEntry tag, CacheKeeper.PullEntry pulls, Map<Digest, HeldBlob> held,
      Map<Digest, ManifestReferences> manifests, Set<Digest> pinned, Set<Digest> busy) {
    Digest manifest = Digest.parse(tag.digest());
    Set<Digest> digests = new HashSet<>();
    collect(manifest, manifests, digests, 0);
    long size = 0;
    long lastPulled = pulls == null ? 0 : pulls.lastPulled();
    // Used: pulled by tag, or any of its blobs served (a pull by digest has no tag to count).
    long lastUsed = lastPulled;
    for (Digest digest : digests) {
      HeldBlob blob = held.get(digest);
      if (blob != null) {
        size += blob.size();
        lastUsed = Math.max(lastUsed, blob.lastAccess());
      }
    }
    HeldBlob manifestBlob = held.get(manifest);
    return new CachedImage(tag.upstream(), tag.repository(), tag.tag(), manifest, Set.copyOf(digests), size,
        pulls == null ? 0 : pulls.pulls(), lastPulled, lastUsed > 0 ? lastUsed : tag.validatedAt(),
        manifestBlob != null ? manifestBlob.storedAt() : tag.validatedAt(), pinned.contains(manifest),
        digests.stream().anyMatch(busy::contains));
  }

  private static void collect(Digest manifest, Map<Digest, ManifestReferences> manifests, Set<Digest> into,
      int depth) {
    into.add(manifest);
    ManifestReferences references = manifests.get(manifest);
    if (references == null || depth > 1) {
      return;
    }
    into.addAll(references.blobs());
    for (Digest child : references.manifests()) {
      collect(child, manifests, into, depth + 1);
    }
  }

  /**
   * Whether the references of {@code manifest} were read, and those of its platform manifests that
   * some node holds (the platforms nobody pulled have no layers here).
   */
  private static boolean referencesKnown(Digest manifest, Map<Digest, ManifestReferences> manifests,
      Map<Digest, HeldBlob> held) {
    ManifestReferences references = manifests.get(manifest);
    return references != null && references.manifests().stream()
        .allMatch(child -> !held.containsKey(child) || manifests.containsKey(child));
  }

  /** The images a name denotes. */
  public List<CachedImage> denoted(ImageName name) {
    return images.stream().filter(i -> name.denotes(i.upstream(), i.repository(), i.tag(), i.manifest())).toList();
  }

  /** Digests some image references. */
  public Set<Digest> referenced() {
    Set<Digest> referenced = new HashSet<>();
    images.forEach(i -> referenced.addAll(i.digests()));
    return referenced;
  }

  /**
   * Plans the removal of {@code targets}: their tags, and their held blobs that no other image
   * references; with {@code dangling}, also the dangling blobs that {@code danglingFilter} accepts.
   * Unless {@code force}, pinned and busy blobs are left out.
   */
  public Plan plan(Collection<CachedImage> targets, boolean dangling, Predicate<HeldBlob> danglingFilter,
      boolean force) {
    Set<CachedImage> removed = new HashSet<>(targets);
    Set<Digest> keptReferences = new HashSet<>();
    Set<Digest> candidates = new HashSet<>();
    for (CachedImage image : images) {
      (removed.contains(image) ? candidates : keptReferences).addAll(image.digests());
    }
    // Unknown references could make a live image's layers look dangling: never wrong beats tidy.
    if (dangling && referencesKnown) {
      Set<Digest> referenced = referenced();
      held.values().stream()
          .filter(blob -> !referenced.contains(blob.digest()) && danglingFilter.test(blob))
          .forEach(blob -> candidates.add(blob.digest()));
    }
    List<HeldBlob> delete = candidates.stream()
        .map(held::get)
        .filter(blob -> blob != null && !keptReferences.contains(blob.digest()))
        .filter(blob -> force || !(pinned.contains(blob.digest()) || busy.contains(blob.digest())))
        .sorted(Comparator.comparing((HeldBlob blob) -> blob.digest().toString()))
        .toList();
    return new Plan(images.stream().filter(removed::contains).toList(), delete);
  }
}
