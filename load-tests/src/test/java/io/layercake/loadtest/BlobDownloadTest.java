package io.layercake.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.layercake.testkit.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BlobDownloadTest {

  private static final byte[] BODY = new byte[1_500_000];

  static {
    new Random(7).nextBytes(BODY);
  }

  private HttpServer server;
  private String base;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/fixed", exchange -> send(exchange, 200, BODY, BODY.length));
    server.createContext("/chunked", exchange -> send(exchange, 200, BODY, 0));
    server.createContext("/moved", exchange -> {
      exchange.getResponseHeaders().add("Location", "/fixed");
      send(exchange, 307, new byte[0], -1);
    });
    server.createContext("/missing", exchange -> send(exchange, 404, "{\"errors\":[]}".getBytes(), 0));
    server.createContext("/short", exchange -> {
      exchange.sendResponseHeaders(200, BODY.length);
      exchange.getResponseBody().write(BODY, 0, 1000);
      exchange.close();
    });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void get_contentLength_digestsTheWholeBody() throws Exception {
    MessageDigest sha256 = sha256();
    assertBody(new BlobDownload().get(URI.create(base + "/fixed"), null, sha256), sha256, "/fixed");
  }

  @Test
  void get_chunked_digestsTheDecodedBody() throws Exception {
    MessageDigest sha256 = sha256();
    assertBody(new BlobDownload().get(URI.create(base + "/chunked"), "Bearer t", sha256), sha256, "/chunked");
  }

  @Test
  void get_redirect_followsToTheBody() throws Exception {
    MessageDigest sha256 = sha256();
    assertBody(new BlobDownload().get(URI.create(base + "/moved"), null, sha256), sha256, "/moved");
  }

  @Test
  void get_error_keepsStatusAndBodyText() throws Exception {
    BlobDownload.Response response = new BlobDownload().get(URI.create(base + "/missing"), null, sha256());
    assertEquals(404, response.status());
    assertEquals(0, response.bodyBytes());
    assertTrue(response.errorBody().contains("errors"), response.errorBody());
  }

  @Test
  void get_bodyShorterThanContentLength_fails() {
    assertThrows(IOException.class, () -> new BlobDownload().get(URI.create(base + "/short"), null, sha256()));
  }

  @Test
  void get_reusedForManyBodies_eachDigestIsRight() throws Exception {
    BlobDownload download = new BlobDownload();
    for (String path : new String[] {"/fixed", "/chunked", "/fixed"}) {
      MessageDigest sha256 = sha256();
      assertBody(download.get(URI.create(base + path), null, sha256), sha256, path);
    }
  }

  private void assertBody(BlobDownload.Response response, MessageDigest sha256, String what) {
    assertEquals(200, response.status(), what);
    assertEquals(BODY.length, response.bodyBytes(), what);
    assertEquals(Sha256.digest(BODY), "sha256:" + HexFormat.of().formatHex(sha256.digest()), what);
  }

  private static MessageDigest sha256() throws Exception {
    return MessageDigest.getInstance("SHA-256");
  }

  private static void send(HttpExchange exchange, int status, byte[] body, long length) throws IOException {
    exchange.sendResponseHeaders(status, length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
