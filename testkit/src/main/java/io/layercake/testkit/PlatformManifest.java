package io.layercake.testkit;

import java.util.Objects;

/**
 * One platform's image manifest inside a test {@link Image}.
 *
 * @param platform the platform written in the index entry and the image config
 * @param manifest the platform's single-image manifest
 */
public record PlatformManifest(Platform platform, Manifest manifest) {

  /** Validates that both parts are given and the manifest is not itself an index. */
  public PlatformManifest {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(manifest, "manifest");
    if (manifest.isIndex()) {
      throw new IllegalArgumentException("a platform manifest cannot be an index: " + manifest);
    }
  }
}
