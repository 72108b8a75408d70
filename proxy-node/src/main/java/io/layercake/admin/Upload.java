package io.layercake.admin;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/*
 * Implementation notes
 *
 * The body arrives through Akka's stream-to-InputStream bridge, whose reads wait at most the
 * idle timeout for the next bytes and then throw an IOException; a client that goes away fails
 * the stream, which also surfaces as an IOException. Either way the client is at fault, so a
 * failed read becomes a 400 here, and the upload is marked broken: nothing waits for the rest of
 * it (the old code drained after a timeout, and so held its thread for a second timeout).
 *
 * Every other IOException of a load is then the node's own (the temp folder), which the endpoint
 * answers with 503.
 *
 * After the load refuses an archive it reads the rest of the body and throws it away, so that the
 * client, still sending, reads the 4xx instead of a reset connection. That reading is bounded by
 * about the idle timeout in all (a read already waiting may take one more): a client sending
 * without end would otherwise hold the thread.
 */

/** An uploaded body as a blocking stream that tells the client's failures apart and can be drained. */
final class Upload extends FilterInputStream {

  private final Duration idleTimeout;
  private boolean broken;

  /** The body {@code in}, whose reads give up after {@code idleTimeout} without bytes. */
  Upload(InputStream in, Duration idleTimeout) {
    super(in);
    this.idleTimeout = idleTimeout;
  }

  /** Whether a read failed: the client stalled or went away, so there is no rest to read. */
  boolean broken() {
    return broken;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) {
    if (broken) {
      throw stopped("an earlier read failed");
    }
    try {
      return in.read(buffer, offset, length);
    } catch (IOException e) {
      broken = true;
      throw stopped(e.getMessage());
    }
  }

  @Override
  public long skip(long count) throws IOException {
    // FilterInputStream would skip on the bridge directly, past the count and the failure mapping.
    byte[] buffer = new byte[8192];
    long skipped = 0;
    while (skipped < count) {
      int n = read(buffer, 0, (int) Math.min(buffer.length, count - skipped));
      if (n < 0) {
        break;
      }
      skipped += n;
    }
    return skipped;
  }

  /**
   * Reads and discards the rest, for at most the idle timeout in all, unless the upload is broken.
   * Returns whether the end was reached.
   */
  boolean drain() {
    if (broken) {
      return false;
    }
    long deadline = System.nanoTime() + idleTimeout.toNanos();
    byte[] buffer = new byte[64 * 1024];
    try {
      while (System.nanoTime() < deadline) {
        if (read(buffer, 0, buffer.length) < 0) {
          return true;
        }
      }
    } catch (OciException e) {
      // The client stalled or went away while we drained: nobody is left to read the error.
    }
    return false;
  }

  /** Stops the body: what the client has not sent is no longer wanted. */
  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // Closing cancels the stream; there is nothing left to tell anyone.
    }
  }

  private OciException stopped(String cause) {
    return new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "the upload stopped",
        "no bytes for " + idleTimeout.toMillis() + " ms (" + ImageVerbSettings.UPLOAD_IDLE_TIMEOUT
            + "), or the client went away: " + cause);
  }
}
