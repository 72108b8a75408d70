package io.layercake.upstream;

import io.layercake.oci.Digest;
import java.util.Objects;

/**
 * A manifest as upstream sent it, already checked: {@code digest} is the sha256 of {@code bytes}
 * and agreed with what was asked for and with upstream's {@code Docker-Content-Digest}.
 *
 * @param digest the sha256 of {@code bytes}
 * @param mediaType upstream's {@code Content-Type}, without parameters
 * @param bytes the exact bytes, never re-serialised; callers must not modify them
 */
public record UpstreamManifest(Digest digest, String mediaType, byte[] bytes) {

  /** Requires every part. */
  public UpstreamManifest {
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(bytes, "bytes");
  }

  /** Names the manifest without dumping its bytes. */
  @Override
  public String toString() {
    return "UpstreamManifest[" + digest + ", " + mediaType + ", " + bytes.length + " bytes]";
  }
}
