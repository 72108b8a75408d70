package io.layercake.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One blob GET over its own HTTP/1.1 connection, its body streamed through a digest into a reused
 * direct buffer.
 *
 * <p>Why not {@link java.net.http.HttpClient}: it allocates a fresh heap buffer for every socket
 * read. A JFR profile of a 32-runner herd put half of the load generator's samples in
 * {@code ByteBuffer.allocate} under its selector thread; on a 2-core machine that CPU is taken
 * from the system under test, so the herd measured the client. docker's own client reads into
 * reused buffers, and so does this one: a fixed 256 KiB buffer per download, nothing allocated per
 * read. Memory stays flat for any blob size.
 *
 * <p>It speaks just enough HTTP for a registry's blob GET: status line and headers, bodies
 * delimited by {@code Content-Length}, chunked encoding or the connection's end, and redirects
 * (the {@code Authorization} header is dropped when a redirect leaves the host, as docker does).
 * Reads have no timeout of their own: the channel is interruptible, and {@link Runners} bounds
 * every run and interrupts what is left.
 */
final class BlobDownload {

  private static final int BUFFER = 256 * 1024;
  private static final int MAX_HEADER_BYTES = 64 * 1024;
  private static final int MAX_REDIRECTS = 5;

  private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);

  /** The outcome of a GET: its final status and headers, and the body bytes that went through the digest. */
  record Response(int status, Map<String, String> headers, long bodyBytes, String errorBody) {}

  /**
   * GETs {@code url}, following redirects, and feeds a 200's body to {@code digest}; any other
   * status's body (up to 512 bytes) is kept as text for the error message.
   */
  Response get(URI url, String authorization, MessageDigest digest) throws IOException {
    URI current = url;
    String credentials = authorization;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      Response response = once(current, credentials, digest);
      String location = response.headers().get("location");
      if (response.status() / 100 != 3 || location == null) {
        return response;
      }
      URI next = current.resolve(location);
      if (!next.getHost().equals(current.getHost()) || port(next) != port(current)) {
        credentials = null;
      }
      current = next;
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + url);
  }

  private Response once(URI url, String authorization, MessageDigest digest) throws IOException {
    if (!"http".equals(url.getScheme())) {
      throw new IOException("only http:// is supported by the load client: " + url);
    }
    try (SocketChannel channel = SocketChannel.open()) {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      channel.socket().connect(new InetSocketAddress(url.getHost(), port(url)), 10_000);
      writeRequest(channel, url, authorization);
      buffer.clear();
      Map<String, String> headers = new HashMap<>();
      int status = readHead(channel, headers);
      boolean ok = status == 200;
      StringBuilder errorBody = new StringBuilder();
      Body body = new Body(channel, ok ? digest : null, ok ? null : errorBody);
      long bytes;
      if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
        bytes = body.chunked();
      } else if (headers.containsKey("content-length")) {
        bytes = body.exactly(Long.parseLong(headers.get("content-length").trim()));
      } else {
        bytes = body.untilEnd();
      }
      return new Response(status, headers, ok ? bytes : 0, errorBody.toString().strip());
    }
  }

  private static void writeRequest(SocketChannel channel, URI url, String authorization) throws IOException {
    String target = url.getRawPath() + (url.getRawQuery() == null ? "" : "?" + url.getRawQuery());
    StringBuilder request = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n")
        .append("Host: ").append(url.getHost()).append(':').append(port(url)).append("\r\n")
        .append("User-Agent: layercake-load-tests\r\nAccept: */*\r\nConnection: close\r\n");
    if (authorization != null && !authorization.isEmpty()) {
      request.append("Authorization: ").append(authorization).append("\r\n");
    }
    ByteBuffer out = ByteBuffer.wrap(request.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    while (out.hasRemaining()) {
      channel.write(out);
    }
  }

  /**
   * Reads up to the blank line after the headers; the body bytes read with them stay in the buffer
   * (flipped, ready to consume). Header names are lower-cased.
   */
  private int readHead(SocketChannel channel, Map<String, String> headers) throws IOException {
    int end;
    while ((end = headEnd()) < 0) {
      if (buffer.position() >= MAX_HEADER_BYTES || channel.read(buffer) < 0) {
        throw new IOException("the response ended or grew too large before its headers did");
      }
    }
    byte[] head = new byte[end];
    buffer.flip();
    buffer.get(head);
    buffer.position(buffer.position() + 4);
    String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP/1.x response: " + lines[0]);
    }
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return Integer.parseInt(statusLine[1]);
  }

  /** Where the CRLFCRLF that ends the headers starts in the bytes read so far, or -1. */
  private int headEnd() {
    for (int i = 0; i + 3 < buffer.position(); i++) {
      if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n' && buffer.get(i + 2) == '\r' && buffer.get(i + 3) == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static int port(URI url) {
    return url.getPort() >= 0 ? url.getPort() : 80;
  }

  /** The body after the headers: consumed from the buffer first, then from the channel. */
  private final class Body {
    private final SocketChannel channel;
    private final MessageDigest digest;
    private final StringBuilder errorBody;

    Body(SocketChannel channel, MessageDigest digest, StringBuilder errorBody) {
      this.channel = channel;
      this.digest = digest;
      this.errorBody = errorBody;
    }

    long exactly(long length) throws IOException {
      long left = length;
      while (left > 0) {
        if (!fill()) {
          throw new IOException("the body ended after " + (length - left) + " of " + length + " bytes");
        }
        left -= consume(left);
      }
      return length;
    }

    long untilEnd() throws IOException {
      long total = 0;
      while (fill()) {
        total += consume(Long.MAX_VALUE);
      }
      return total;
    }

    long chunked() throws IOException {
      long total = 0;
      for (long size; (size = Long.parseLong(line().split(";", 2)[0].trim(), 16)) > 0; ) {
        total += exactly(size);
        line();
      }
      while (!line().isEmpty()) {
        // Trailers carry nothing a blob GET needs.
      }
      return total;
    }

    /** Makes sure the buffer has bytes to consume; false at the end of the stream. */
    private boolean fill() throws IOException {
      if (buffer.hasRemaining()) {
        return true;
      }
      buffer.clear();
      int read = channel.read(buffer);
      buffer.flip();
      return read > 0;
    }

    private long consume(long atMost) {
      int n = (int) Math.min(atMost, buffer.remaining());
      ByteBuffer slice = buffer.slice(buffer.position(), n);
      if (digest != null) {
        digest.update(slice);
      } else if (errorBody.length() < 512) {
        byte[] text = new byte[Math.min(n, 512 - errorBody.length())];
        slice.get(text);
        errorBody.append(new String(text, StandardCharsets.UTF_8));
      }
      buffer.position(buffer.position() + n);
      return n;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      while (true) {
        if (!fill()) {
          throw new IOException("the chunked body ended mid-line");
        }
        byte b = buffer.get();
        if (b == '\n') {
          int length = line.length();
          return length > 0 && line.charAt(length - 1) == '\r' ? line.substring(0, length - 1) : line.toString();
        }
        line.append((char) b);
        if (line.length() > 1024) {
          throw new IOException("a chunk header line is too long");
        }
      }
    }
  }
}
