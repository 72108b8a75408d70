package io.layercake.blob;

/**
 * The node's budget for blob bytes read from disk and not yet taken by a socket. Every reader of
 * a blob file draws its reads from it, and the size of a read follows how many readers share it.
 *
 * <p>Why not one fixed read size: a read is a hop to the blocking executor, a message back and a
 * write to the socket, and a lone stream pays that once per read. With 64 KiB reads one stream ran
 * at less than half the speed of {@code registry:2}; with 1 MiB reads it kept up. But 1 MiB for
 * every stream is what ran a herd of 96 streams out of a 256 MB heap: bytes waiting for sockets
 * outlive young collections. So a reader's read size is its share of this budget, between {@link
 * #minRead} and {@link #maxRead}: a lone stream reads large, ninety-six read small, and the bytes in
 * flight stay under the budget whatever the number of clients.
 *
 * <p>A read never waits for the budget. A reader holds at most {@link #CHUNKS_PER_READER} reads
 * (one the socket is sending, one read ahead), and when the budget is spent it still reads {@code
 * minRead}: every stream always makes progress, and the bytes in flight are at most the budget
 * plus {@code 2 × minRead} per reader (see {@link FileRangeStage}).
 */
public final class ReadBudget {

  /** Reads one reader holds at once: the one its socket is sending and the next one. */
  static final int CHUNKS_PER_READER = 2;

  private final long capacity;
  private final int minRead;
  private final int maxRead;
  private long inUse;
  private long peak;
  private int readers;

  /**
   * @param capacity the bytes all readers may hold together
   * @param minRead the smallest read, also what a reader gets when the budget is spent
   * @param maxRead the largest read, what a reader alone gets
   */
  public ReadBudget(long capacity, int minRead, int maxRead) {
    if (minRead <= 0 || maxRead < minRead || capacity < (long) maxRead * CHUNKS_PER_READER) {
      throw new IllegalArgumentException("a read budget needs 0 < min-read <= max-read and a capacity of at least"
          + " " + CHUNKS_PER_READER + " × max-read, got " + capacity + ", " + minRead + ", " + maxRead);
    }
    this.capacity = capacity;
    this.minRead = minRead;
    this.maxRead = maxRead;
  }

  /** Counts a reader in: the readers share the budget. */
  synchronized void open() {
    readers++;
  }

  /** Counts a reader out; it must have given back all it took. */
  synchronized void close() {
    readers--;
  }

  /**
   * Takes the budget for one read of at most {@code wanted} bytes and returns its size: the
   * reader's share (capacity over readers, for {@link #CHUNKS_PER_READER} reads each), no more
   * than is left, a multiple of {@code minRead}, and never less than {@code min(minRead, wanted)}.
   */
  synchronized int take(long wanted) {
    // A share for one more read than a reader holds: a reader takes its next read just before
    // it gives back its oldest, and the shares must fit the budget then too.
    long share = capacity / ((long) Math.max(1, readers) * (CHUNKS_PER_READER + 1));
    long size = Math.min(Math.min(share, capacity - inUse), maxRead);
    size = Math.max(minRead, size - size % minRead);
    size = Math.min(size, wanted);
    inUse += size;
    peak = Math.max(peak, inUse);
    return (int) size;
  }

  /** Gives back what {@link #take} granted. */
  synchronized void release(long bytes) {
    inUse -= bytes;
  }

  /** Bytes readers hold now. */
  public synchronized long inUse() {
    return inUse;
  }

  /** The most bytes readers have held at once. */
  public synchronized long peak() {
    return peak;
  }

  /** Readers now. */
  public synchronized int readers() {
    return readers;
  }
}
