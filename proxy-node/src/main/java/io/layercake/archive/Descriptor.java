package io.layercake.archive;

import io.layercake.oci.Digest;

/**
 * An OCI content descriptor: what a manifest or index says about a piece of content.
 *
 * @param mediaType the content's media type
 * @param digest its digest
 * @param size its length in bytes
 */
public record Descriptor(String mediaType, Digest digest, long size) {

  /** Validates the parts. */
  public Descriptor {
    if (mediaType == null || mediaType.isEmpty() || digest == null || size < 0) {
      throw new IllegalArgumentException("descriptor needs a media type, a digest and a size >= 0");
    }
  }
}
