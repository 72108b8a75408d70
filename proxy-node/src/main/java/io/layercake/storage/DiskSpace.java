package io.layercake.storage;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/*
 * Implementation notes
 *
 * The size cap keeps the cache within its share of the volume, but the volume can still fill:
 * something else writes there, the cap is set too high, pinned and in-use blobs exceed it. A full
 * disk must then be a state the node works through, not a crash: what it cannot store it serves
 * without storing. So writers ask here first whether their bytes fit while leaving min-free
 * bytes on the volume. The free space is read with one statfs call at most every 200 ms (the
 * answer is shared), which is cheap next to a fill or a journal write and current enough: a fill
 * that outruns it fails on its own write and is cleaned up like any failed fill.
 */

/** Whether the data volume has room for more: the free space above a floor kept for RocksDB. */
public final class DiskSpace {

  private static final long STALE_NANOS = 200_000_000L;

  private final long minFree;
  private final LongSupplier readUsable;
  private final LongSupplier nanoTime;
  private final AtomicLong usable = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong readAt;

  DiskSpace(long minFree, LongSupplier readUsable, LongSupplier nanoTime) {
    this.minFree = minFree;
    this.readUsable = readUsable;
    this.nanoTime = nanoTime;
    this.readAt = new AtomicLong(nanoTime.getAsLong() - STALE_NANOS - 1);
  }

  /**
   * The space on the volume holding {@code dataDir}, keeping {@code minFree} bytes free, but no
   * more than a twentieth of the volume (a small volume would otherwise never store anything).
   */
  public static DiskSpace of(Path dataDir, long minFree) {
    File dir = dataDir.toFile();
    long total = volumeSize(dataDir);
    long floor = total == Long.MAX_VALUE ? minFree : Math.min(minFree, total / 20);
    return new DiskSpace(floor, () -> {
      long usable = dir.getUsableSpace();
      // 0 is also what an error reads as: let writes try, and fail on their own if it is real.
      return usable > 0 ? usable : dir.exists() ? usable : Long.MAX_VALUE;
    }, System::nanoTime);
  }

  /**
   * The size of the file system holding {@code dir}, or {@code Long.MAX_VALUE} if it cannot be
   * read. Asked with statvfs on the path (java.io.File) rather than through its FileStore, which
   * needs the mount table to name the mount point: inside a chroot or some containers it does
   * not, and the node would not start.
   */
  public static long volumeSize(Path dir) {
    long total = dir.toFile().getTotalSpace();
    return total > 0 ? total : Long.MAX_VALUE;
  }

  /** Whether {@code bytes} more can be written while {@code minFree} bytes stay free. */
  public boolean fits(long bytes) {
    long free = usable();
    return free - minFree >= bytes;
  }

  /** Whether the volume is below its floor: nothing but what must be written should be. */
  public boolean low() {
    return !fits(0);
  }

  private long usable() {
    long now = nanoTime.getAsLong();
    long last = readAt.get();
    if (now - last >= STALE_NANOS && readAt.compareAndSet(last, now)) {
      usable.set(readUsable.getAsLong());
    }
    return usable.get();
  }
}
