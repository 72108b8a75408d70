package io.layercake.archive;

import java.util.List;
import java.util.Optional;

/**
 * One image as {@code save} writes it into an archive.
 *
 * @param name the full reference the archive records for it ({@code docker.io/library/redis:7}),
 *     empty for an image saved by digest
 * @param repoTag the short name docker's {@code manifest.json} lists ({@code redis:7}), empty for
 *     an image saved by digest
 * @param tag the tag alone, for the OCI layout's {@code org.opencontainers.image.ref.name}
 * @param top what the tag points at: the index for a multi-platform image, else the manifest
 * @param config the saved platform's config
 * @param layers the saved platform's layers, in order
 */
public record SavedImage(Optional<String> name, Optional<String> repoTag, Optional<String> tag,
    Descriptor top, Descriptor config, List<Descriptor> layers) {

  /** Copies the list. */
  public SavedImage {
    layers = List.copyOf(layers);
  }
}
