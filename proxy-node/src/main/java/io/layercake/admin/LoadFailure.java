package io.layercake.admin;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Everything about the archive itself is refused as an OciException with a 4xx where it is found
 * (the tar reader, the JSON parsers, the load's limits), and the upload's own failures (a stall, a
 * client gone) become 4xx in Upload. So what reaches this mapping as anything else is the node's
 * failure, and answers 503: an IOException (or the store's StorageException) is the disk's, a
 * timeout the cluster's (an ask while storing and tagging), and any other RuntimeException or an
 * Error is a bug or an exhausted JVM, logged with its stack trace. Before this, an
 * OutOfMemoryError of a load answered 500. The limits (LoadMemory, ImageWalk) are what keeps one
 * from happening; this is the net under them, not the defence.
 */

/** How a failed {@code load} answers: the archive's faults as they were raised, the node's as 503. */
final class LoadFailure {

  /** How long a client is told to wait after the node failed on its own. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(30);

  private static final Logger log = LoggerFactory.getLogger(LoadFailure.class);

  private LoadFailure() {}

  /** The answer to {@code failure}, logged unless it is an expected refusal. */
  static OciException answer(Throwable failure) {
    if (failure instanceof OciException oci) {
      return oci;
    }
    if (failure instanceof IOException || failure instanceof UncheckedIOException) {
      log.warn("load: storing the archive failed: {}", failure.toString());
      return new OciException(ErrorCode.UNAVAILABLE, "storing the archive failed", failure.getMessage(),
          RETRY_AFTER);
    }
    if (failure instanceof TimeoutException) {
      // An ask to a tag entity or the manifest store: the cluster is busy or moving shards.
      return new OciException(ErrorCode.UNAVAILABLE, "timed out, retry", "the cache did not answer in time",
          RETRY_AFTER);
    }
    log.error("load failed inside the node", failure);
    String what = failure instanceof OutOfMemoryError ? "the node ran short of memory" : "the node failed";
    return new OciException(ErrorCode.UNAVAILABLE, "load failed inside the node", what + "; retry later",
        RETRY_AFTER);
  }
}
