package io.layercake.upstream;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An upstream blob response whose body has not been read yet: its size, from {@code
 * Content-Length}, and a single-use stream of its bytes.
 *
 * <p>The body completes only when exactly {@link #size()} bytes arrived and their sha256 is the
 * requested digest; a connection that closes early, a stall longer than {@code idle-timeout}, or
 * wrong bytes fail it with an {@link io.layercake.oci.OciException}. It can be run once; a second
 * run fails.
 *
 * <p>The response holds a pooled connection until the body is read, so the caller must either run
 * {@link #body()} or call {@link #discard()}. (If it does neither, Akka's pool closes the
 * connection after {@code body-subscription-timeout}, with a warning.)
 */
public final class UpstreamBlob {

  private final long size;
  private final Source<ByteString, NotUsed> body;
  private final Runnable release;
  private final AtomicBoolean claimed = new AtomicBoolean();

  /**
   * A blob of {@code size} bytes streamed by {@code bytes}; {@code release} frees the connection
   * when the body is discarded unread.
   */
  UpstreamBlob(long size, Source<ByteString, ?> bytes, Runnable release, String description) {
    this.size = size;
    this.release = release;
    Source<ByteString, NotUsed> unclaimed =
        bytes.mapMaterializedValue(ignored -> NotUsed.getInstance());
    this.body = Source.fromMaterializer((materializer, attributes) ->
            claimed.compareAndSet(false, true)
            ? unclaimed
            : Source.<ByteString>failed(new IllegalStateException(
                "the body of " + description + " was already consumed or discarded")))
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
  }

  /** The blob's size in bytes, from upstream's {@code Content-Length}. */
  public long size() {
    return size;
  }

  /** The verified bytes; materialize it once. */
  public Source<ByteString, NotUsed> body() {
    return body;
  }

  /**
   * Gives the body up unread and frees its connection at once. The connection is closed rather
   * than drained: draining a gigabyte nobody wants would cost more than a new connection. Does
   * nothing once the body has been run.
   */
  public void discard() {
    if (claimed.compareAndSet(false, true)) {
      release.run();
    }
  }

  @Override
  public String toString() {
    return "UpstreamBlob[" + size + " bytes]";
  }
}
