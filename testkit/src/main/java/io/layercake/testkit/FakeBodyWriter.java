package io.layercake.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Streams a response body through a fixed buffer, applying the body {@link Fault}s a request drew.
 * A reset is an exception thrown with the body incomplete: the JDK server then closes the
 * connection, which is the abrupt end a client must treat as a failure, not as a short blob.
 */
final class FakeBodyWriter {

  private static final int BUFFER = 64 * 1024;

  private final AtomicLong bytesSent;

  FakeBodyWriter(AtomicLong bytesSent) {
    this.bytesSent = bytesSent;
  }

  /** Sends {@code status} and {@code length} bytes from {@code in}, then closes the exchange. */
  void send(HttpExchange exchange, int status, InputStream in, long length, List<Fault> faults)
      throws IOException {
    Fault breaking = null;
    long bytesPerSecond = Long.MAX_VALUE;
    for (Fault fault : faults) {
      if (fault.kind() == Fault.Kind.THROTTLE) {
        bytesPerSecond = Math.min(bytesPerSecond, fault.bytesPerSecond());
      } else if (breaking == null) {
        breaking = fault;
      }
    }
    // A reset or stall must happen inside the body, or the client would see a complete response.
    long breakAt = breaking == null ? -1 : Math.min(breaking.afterBytes(), Math.max(0, length - 1));
    long flipAt = length / 2;
    exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
    OutputStream out = exchange.getResponseBody();
    byte[] buffer = new byte[(int) Math.min(BUFFER, Math.max(1, bytesPerSecond / 10))];
    long sent = 0;
    long started = System.nanoTime();
    while (sent < length) {
      if (breaking != null && sent == breakAt) {
        out.flush();
        if (breaking.kind() == Fault.Kind.RESET_MID_BODY) {
          throw new IOException("injected reset after " + sent + " of " + length + " bytes");
        }
        if (breaking.kind() == Fault.Kind.STALL) {
          pause(breaking.duration());
          breaking = null;
        }
      }
      long limit = length - sent;
      if (breaking != null && breakAt > sent) {
        limit = Math.min(limit, breakAt - sent);
      }
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, limit));
      if (read < 0) {
        throw new IOException("blob source ended after " + sent + " of " + length + " bytes");
      }
      if (breaking != null
          && breaking.kind() == Fault.Kind.WRONG_BYTES
          && flipAt >= sent
          && flipAt < sent + read) {
        buffer[(int) (flipAt - sent)] ^= (byte) 0xff;
      }
      out.write(buffer, 0, read);
      sent += read;
      bytesSent.addAndGet(read);
      if (bytesPerSecond != Long.MAX_VALUE) {
        holdRate(started, sent, bytesPerSecond);
      }
    }
    out.close();
  }

  private static void holdRate(long startedNanos, long sent, long bytesPerSecond) {
    long dueNanos = startedNanos + sent * 1_000_000_000L / bytesPerSecond;
    long ahead = dueNanos - System.nanoTime();
    if (ahead > 0) {
      pause(Duration.ofNanos(ahead));
    }
  }

  /** Simulated slowness of the server: this is the fault itself, not a wait for a condition. */
  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
