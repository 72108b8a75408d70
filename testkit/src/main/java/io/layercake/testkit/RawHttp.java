package io.layercake.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Sends a request byte for byte over a socket, for requests that well-behaved HTTP clients refuse
 * to send: unknown methods, raw {@code ..} segments, oversized headers, broken encodings.
 */
public final class RawHttp {

  private RawHttp() {}

  /** The response to {@code requestHead} (request line and headers, without the blank line). */
  public static Response send(int port, String requestHead) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      out.write((requestHead + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        received.write(buffer, 0, n);
      }
      String text = received.toString(StandardCharsets.ISO_8859_1);
      if (!text.startsWith("HTTP/1.1 ")) {
        throw new IOException("no HTTP response: " + text);
      }
      int status = Integer.parseInt(text.substring(9, 12));
      int bodyStart = text.indexOf("\r\n\r\n");
      String head = text.substring(0, bodyStart);
      String body = text.substring(bodyStart + 4);
      return new Response(status, head, body);
    }
  }

  /**
   * A response.
   *
   * @param status the status code
   * @param head the status line and headers
   * @param body the body as text
   */
  public record Response(int status, String head, String body) {}
}
