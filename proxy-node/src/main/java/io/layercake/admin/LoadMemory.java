package io.layercake.admin;

import io.layercake.archive.ArchiveJson;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Implementation notes
 *
 * One budget per node, shared by the loads in progress, because the heap is shared: four loads
 * each allowed 64 MiB would be 256 MiB together. Each load charges its own account, and the
 * answer to a charge that does not fit depends on whose fault it is: an archive that needs more
 * than the whole budget alone is the client's (400, naming the key), one that would fit but finds
 * the budget taken by other loads is the node's state (503, retry later).
 *
 * Charges are estimates of heap, not exact sizes: raw bytes for JSON held as byte arrays, and
 * fixed costs per kept object (ArchiveJson.DESCRIPTOR_COST, ArchiveJson.stringCost) for what is
 * parsed. They err on the high side; the point is that no arrangement of an archive's bytes can
 * make the node hold more than a small multiple of the budget.
 */

/** The heap budget of the {@code load}s in progress on this node ({@code max-load-memory}). */
final class LoadMemory {

  /** What a load refused for lack of memory that others hold is told to wait. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  /** A budget of {@code limit} bytes. */
  LoadMemory(long limit) {
    this.limit = limit;
  }

  /** Bytes charged by all open accounts. */
  long used() {
    return used.get();
  }

  /** An account for one load; closing it gives back everything it charged. */
  Account open() {
    return new Account();
  }

  /** One load's share of the budget. Not thread-safe: one load, one thread. */
  final class Account implements ArchiveJson.Budget, AutoCloseable {

    private long charged;
    private boolean closed;

    private Account() {}

    /**
     * Takes {@code bytes} more from the budget.
     *
     * @throws OciException BLOB_UPLOAD_INVALID if this load alone would need more than the budget,
     *     UNAVAILABLE (with Retry-After) if other loads hold what it would need
     */
    @Override
    public void charge(long bytes) {
      if (bytes < 0) {
        throw new IllegalArgumentException("negative charge " + bytes);
      }
      if (closed) {
        throw new IllegalStateException("account closed");
      }
      if (bytes > limit - charged) {
        throw new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "image archive over a limit",
            "it needs more than " + limit + " bytes of memory for its JSON files, manifests and member names ("
                + ImageVerbSettings.MAX_LOAD_MEMORY + ")");
      }
      long total = used.addAndGet(bytes);
      if (total > limit) {
        used.addAndGet(-bytes);
        throw new OciException(ErrorCode.UNAVAILABLE, "other loads are using the memory for archives",
            "retry when they are done (" + ImageVerbSettings.MAX_LOAD_MEMORY + ")", RETRY_AFTER);
      }
      charged += bytes;
    }

    /** Gives everything back; safe to call more than once. */
    @Override
    public void close() {
      if (!closed) {
        closed = true;
        used.addAndGet(-charged);
        charged = 0;
      }
    }
  }
}
