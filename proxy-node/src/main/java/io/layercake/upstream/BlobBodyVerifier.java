package io.layercake.upstream;

import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import io.layercake.Failures;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.Duration;

/** Checks a blob body's length, digest and liveness while streaming it. */
final class BlobBodyVerifier extends GraphStage<FlowShape<ByteString, ByteString>> {

  /*
   * Implementation notes.
   *
   * The stage sits between Akka HTTP's entity stream and whoever reads the blob, and turns every
   * way a transfer can go wrong into a stream failure, so that a reader which saw completion knows
   * it holds exactly the blob it asked for:
   *
   * - Truncation: the connection closing early fails the entity stream (Akka checks Content-Length)
   *   and the stage also counts bytes itself, failing on completion with fewer than promised.
   * - Wrong content: the stage hashes while passing bytes on, and fails instead of completing when
   *   the sha256 is not the requested digest (Jib's "The pulled BLOB has digest X, but the request
   *   digest was Y"). The bytes already passed on are the reader's to throw away.
   * - Stall: a timer runs only while the reader is waiting for bytes (between a pull and the next
   *   push). A plain idleTimeout would also fire while the reader itself is slow, which is not the
   *   upstream's fault.
   */

  private static final String STALL_TIMER = "stall";

  private final Inlet<ByteString> in = Inlet.create("BlobBodyVerifier.in");
  private final Outlet<ByteString> out = Outlet.create("BlobBodyVerifier.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Digest digest;
  private final long size;
  private final Duration idleTimeout;
  private final String description;

  BlobBodyVerifier(Digest digest, long size, Duration idleTimeout, String description) {
    this.digest = digest;
    this.size = size;
    this.idleTimeout = idleTimeout;
    this.description = description;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private final MessageDigest sha256 = Digest.newSha256();
      private long received;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            cancelTimer(STALL_TIMER);
            ByteString chunk = grab(in);
            received += chunk.size();
            if (received > size) {
              failStage(failure(ErrorCode.UNAVAILABLE,
                  "upstream sent more than its Content-Length of " + size + " bytes"));
              return;
            }
            for (ByteBuffer buffer : chunk.getByteBuffers()) {
              sha256.update(buffer);
            }
            push(out, chunk);
          }

          @Override
          public void onUpstreamFinish() {
            cancelTimer(STALL_TIMER);
            if (received != size) {
              failStage(failure(ErrorCode.UNAVAILABLE,
                  "the connection ended after " + received + " of " + size + " bytes"));
              return;
            }
            Digest computed = Digest.ofSha256Bytes(sha256.digest());
            if (!computed.equals(digest)) {
              failStage(failure(ErrorCode.DIGEST_INVALID, "the pulled blob has digest "
                  + computed + ", but the request digest was " + digest));
              return;
            }
            completeStage();
          }

          @Override
          public void onUpstreamFailure(Throwable error) {
            cancelTimer(STALL_TIMER);
            failStage(failure(ErrorCode.UNAVAILABLE, "the transfer failed after " + received
                + " of " + size + " bytes: " + Failures.describe(error)));
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            scheduleOnce(STALL_TIMER, idleTimeout);
            pull(in);
          }
        });
      }

      @Override
      public void onTimer(Object key) {
        failStage(failure(ErrorCode.UNAVAILABLE, "upstream sent no byte for "
            + idleTimeout.toMillis() + " ms (idle-timeout) after " + received + " of " + size
            + " bytes"));
      }
    };
  }

  private OciException failure(ErrorCode code, String reason) {
    return new OciException(code, code.message(), description + ": " + reason);
  }
}
