package io.layercake.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * The progress of an upload on a terminal, one line redrawn in place as docker's {@code load}
 * draws it: {@code Loading  [=====>    ]  12.3MB/50MB}, or the bytes so far when the length is
 * unknown (a pipe). Off a terminal it draws nothing, so output that a script reads stays clean.
 */
final class LoadProgress {

  /** Redraws at most this often: the line is for a person, and each redraw is a write. */
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final long total;
  private final boolean draw;
  private long sent;
  private long drawnAt;
  private boolean drawn;

  LoadProgress(PrintStream out, long total, boolean draw) {
    this.out = out;
    this.total = total;
    this.draw = draw;
  }

  /** {@code in}, counting what is read from it. */
  InputStream counting(InputStream in) {
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          advance(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          advance(n);
        }
        return n;
      }
    };
  }

  /** Draws the final state and ends the line, if anything was drawn. */
  synchronized void done() {
    if (draw && sent > 0) {
      out.print(line() + "\n");
      out.flush();
    }
  }

  private synchronized void advance(long bytes) {
    sent += bytes;
    long now = System.nanoTime();
    if (draw && (!drawn || now - drawnAt >= REDRAW_NANOS)) {
      drawn = true;
      drawnAt = now;
      out.print(line() + "\r");
      out.flush();
    }
  }

  /** The progress line as it stands. */
  synchronized String line() {
    if (total <= 0) {
      return "Loading  " + HumanSize.of(sent);
    }
    return "Loading  " + PullProgress.bar(sent, total);
  }
}
