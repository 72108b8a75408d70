package io.layercake.admin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;

/**
 * Posts a body over a plain socket, written by a thread of its own while the answer is read: the
 * way to send a body that stalls, or one the server refuses before it has all of it. An HTTP
 * client library waits until its body is out before it reads, or gives up on the answer when the
 * server stops reading.
 */
final class RawUpload {

  private RawUpload() {}

  /** Writes a request body; may block, and may fail once the server stops reading. */
  @FunctionalInterface
  interface Body {
    void writeTo(OutputStream out) throws IOException, InterruptedException;
  }

  /**
   * The answer.
   *
   * @param status the status code
   * @param body the body as text
   * @param elapsed from the first byte sent to the whole answer read
   */
  record Answer(int status, String body, Duration elapsed) {}

  /**
   * Sends {@code POST path} with a bearer {@code token} and {@code contentLength}, the body from
   * {@code body}, and reads the answer for at most {@code timeout}.
   */
  static Answer post(int port, String path, String token, long contentLength, Body body, Duration timeout)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) timeout.toMillis());
      long start = System.nanoTime();
      OutputStream out = socket.getOutputStream();
      out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
          + "\r\nContent-Type: application/x-tar\r\nContent-Length: " + contentLength
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      Thread writer = new Thread(() -> {
        try {
          body.writeTo(out);
          out.flush();
        } catch (IOException e) {
          // The server answered and closed before the whole body was out: expected for a refusal.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "raw-upload-body");
      writer.setDaemon(true);
      writer.start();
      try {
        return readAnswer(socket.getInputStream(), start);
      } catch (SocketTimeoutException e) {
        throw new IOException("no answer within " + timeout, e);
      } finally {
        writer.interrupt();
      }
    }
  }

  private static Answer readAnswer(InputStream in, long start) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before the answer's headers: " + head);
      }
      head.write(b);
    }
    String headText = head.toString(StandardCharsets.ISO_8859_1);
    int status = Integer.parseInt(headText.substring(9, 12));
    int length = -1;
    for (String line : headText.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    byte[] body = length >= 0 ? in.readNBytes(length) : in.readAllBytes();
    return new Answer(status, new String(body, StandardCharsets.UTF_8), Duration.ofNanos(System.nanoTime() - start));
  }
}
