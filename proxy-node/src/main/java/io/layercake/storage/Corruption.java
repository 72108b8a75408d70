package io.layercake.storage;

import io.layercake.oci.Digest;
import java.util.Locale;

/**
 * A committed blob file that failed a check and was taken out of service (see {@link
 * BlobStore#onCorruption}).
 *
 * @param digest the blob the file was named for
 * @param foundBy the check that found it
 * @param detail what was wrong, for the log: the sizes, or the digest the bytes really have
 */
public record Corruption(Digest digest, FoundBy foundBy, String detail) {

  /** The checks that find corrupted files, as the metric's {@code found_by} label says them. */
  public enum FoundBy {
    /** Start-up recovery: the file's size differs from the index, or an unindexed file's hash. */
    RECOVERY,
    /** The background scrub: size or sha256. */
    SCRUB,
    /** A lookup before serving: the file's size differs from the index. */
    SERVE;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The label value. */
    public String label() {
      return label;
    }
  }
}
