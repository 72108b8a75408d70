package io.layercake.upstream;

import io.layercake.oci.Digest;
import java.util.Objects;

/**
 * What a HEAD on a manifest told: where a tag points now. A HEAD does not count against Docker
 * Hub's pull limit, which is why revalidation asks this first.
 *
 * @param digest upstream's {@code Docker-Content-Digest} (or the digest asked for)
 * @param mediaType upstream's {@code Content-Type}, without parameters
 * @param size upstream's {@code Content-Length}
 */
public record UpstreamManifestHead(Digest digest, String mediaType, long size) {

  /** Requires every part. */
  public UpstreamManifestHead {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, got " + size);
    }
  }
}
