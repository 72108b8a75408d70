package io.layercake.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A generated test image with every piece a registry would store for it, so a fake registry can
 * serve it and a real one can be seeded with it.
 *
 * @param format the media type family of every manifest and blob
 * @param manifest the top manifest: what a tag points at; an index (manifest list) for a
 *     multi-platform image
 * @param platformManifests one entry per platform in index order; for a single-platform image the
 *     single entry holds {@link #manifest()} itself
 * @param blobs the configs and in-memory layers, each digest once
 * @param largeBlobs the layers written to files, each digest once
 */
public record Image(
    ImageFormat format,
    Manifest manifest,
    List<PlatformManifest> platformManifests,
    List<Blob> blobs,
    List<LargeBlob> largeBlobs) {

  /** Validates the parts and makes the lists immutable. */
  public Image {
    Objects.requireNonNull(format, "format");
    Objects.requireNonNull(manifest, "manifest");
    platformManifests = List.copyOf(platformManifests);
    blobs = List.copyOf(blobs);
    largeBlobs = List.copyOf(largeBlobs);
    if (platformManifests.isEmpty()) {
      throw new IllegalArgumentException("an image needs at least one platform manifest");
    }
    if (!manifest.isIndex() && !platformManifests.get(0).manifest().equals(manifest)) {
      throw new IllegalArgumentException(
          "a single-platform image's platform manifest must be its top manifest");
    }
  }

  /** Whether the top manifest is an index (manifest list) over several platforms. */
  public boolean isMultiPlatform() {
    return manifest.isIndex();
  }

  /** The top manifest's digest: what a pull by tag resolves to. */
  public String digest() {
    return manifest.digest();
  }

  /** The top manifest followed by each platform manifest, each digest once. */
  public List<Manifest> allManifests() {
    List<Manifest> all = new ArrayList<>();
    all.add(manifest);
    for (PlatformManifest child : platformManifests) {
      if (!all.contains(child.manifest())) {
        all.add(child.manifest());
      }
    }
    return all;
  }

  /** The digests of every blob, in memory or on disk: what a complete pull downloads. */
  public List<String> blobDigests() {
    List<String> digests = new ArrayList<>();
    blobs.forEach(blob -> digests.add(blob.digest()));
    largeBlobs.forEach(blob -> digests.add(blob.digest()));
    return digests;
  }

  /** The manifest of {@code platform}. */
  public Optional<Manifest> manifestFor(Platform platform) {
    return platformManifests.stream()
        .filter(child -> child.platform().equals(platform))
        .map(PlatformManifest::manifest)
        .findFirst();
  }

  /** The manifest (top or platform) with {@code digest}. */
  public Optional<Manifest> findManifest(String digest) {
    return allManifests().stream().filter(m -> m.digest().equals(digest)).findFirst();
  }

  /** The in-memory blob with {@code digest}. */
  public Optional<Blob> findBlob(String digest) {
    return blobs.stream().filter(blob -> blob.digest().equals(digest)).findFirst();
  }

  /** The on-disk blob with {@code digest}. */
  public Optional<LargeBlob> findLargeBlob(String digest) {
    return largeBlobs.stream().filter(blob -> blob.digest().equals(digest)).findFirst();
  }
}
