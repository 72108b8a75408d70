package io.layercake.archive;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;

/** The errors an image archive is refused with: 400 BLOB_UPLOAD_INVALID, never a 500. */
public final class ArchiveErrors {

  private ArchiveErrors() {}

  /** The archive is not a usable image archive. */
  public static OciException invalid(String detail) {
    return new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "invalid image archive", detail);
  }

  /** The archive goes beyond one of the load's limits. */
  public static OciException overLimit(String detail) {
    return new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "image archive over a limit", detail);
  }

  /** A name or media type from the archive, shortened for an error message: it may be a megabyte long. */
  public static String shown(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
