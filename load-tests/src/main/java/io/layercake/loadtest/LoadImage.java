package io.layercake.loadtest;

import io.layercake.testkit.LargeBlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A generated image as the simulated internet serves it: a Docker schema 2 manifest, its config
 * and its layers, every blob in a file so that gigabyte layers cost no memory.
 *
 * @param repository the repository it is published under, such as {@code library/fleet-3}
 * @param tag the tag it is published under
 * @param manifestDigest {@code sha256:<hex>} of {@link #manifest()}
 * @param manifest the manifest bytes
 * @param config the config blob
 * @param layers the layer blobs, in manifest order
 */
public record LoadImage(
    String repository, String tag, String manifestDigest, byte[] manifest, LargeBlob config,
    List<LargeBlob> layers) {

  /** Docker's schema 2 manifest type, which every registry and client understands. */
  public static final String MANIFEST_TYPE = "application/vnd.docker.distribution.manifest.v2+json";

  /** Validates and copies. */
  public LoadImage {
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(manifestDigest, "manifestDigest");
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(config, "config");
    layers = List.copyOf(layers);
  }

  /** The config and the layers. */
  public List<LargeBlob> blobs() {
    List<LargeBlob> blobs = new ArrayList<>();
    blobs.add(config);
    blobs.addAll(layers);
    return blobs;
  }

  /** The bytes a client downloads for one pull: manifest, config and layers. */
  public long size() {
    return manifest.length + blobs().stream().mapToLong(LargeBlob::size).sum();
  }

  /** {@code repository:tag}. */
  public String reference() {
    return repository + ":" + tag;
  }
}
