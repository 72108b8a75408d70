package io.layercake.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;

/** Contexts from PEM files, and mutual TLS between two engines in memory. */
class TlsContextsTest {

  @Test
  void server_keyOfAnotherCertificate_isRefusedNamingBothFiles() {
    TlsFileException refused = assertThrows(TlsFileException.class,
        () -> TlsContexts.server(TlsFixtures.file("rsa.crt"), TlsFixtures.file("node-a.key")));
    assertTrue(refused.getMessage().contains("does not belong to the certificate"), refused.getMessage());
  }

  @Test
  void server_ecCertificateWithSec1Key() {
    assertEquals("TLS", TlsContexts.server(TlsFixtures.file("ec.crt"), TlsFixtures.file("ec-sec1.key")).getProtocol());
  }

  @Test
  void mutual_twoNodesOfTheCluster_completeTheHandshake() throws Exception {
    SSLContext a = node("node-a");
    SSLContext b = node("node-b");
    handshake(TlsContexts.clusterClientEngine(a, "127.0.0.1", 1, "test"), TlsContexts.clusterServerEngine(b, "test"));
  }

  @Test
  void mutual_certificateOfTheSameCaForAnotherService_isRefused() {
    SSLContext cluster = node("node-a");
    SSLContext other = node("other");
    SSLException refused = assertThrows(SSLException.class, () -> handshake(
        TlsContexts.clusterClientEngine(other, "127.0.0.1", 1, "test"), TlsContexts.clusterServerEngine(cluster, "test")));
    String message = String.valueOf(refused.getMessage()) + " " + String.valueOf(refused.getCause());
    assertTrue(message.contains("shares no subject name") || message.contains("certificate_unknown")
        || message.contains("bad_certificate"), message);
  }

  @Test
  void mutual_selfSignedClientOfNoCa_isRefused() {
    SSLContext cluster = node("node-a");
    SSLContext stranger = TlsContexts.mutual(TlsFixtures.file("rsa.crt"), TlsFixtures.file("rsa-pkcs8.key"),
        TlsFixtures.file("ca.crt"));
    assertThrows(SSLException.class, () -> handshake(
        TlsContexts.clusterClientEngine(stranger, "127.0.0.1", 1, "test"), TlsContexts.clusterServerEngine(cluster, "test")));
  }

  private static SSLContext node(String name) {
    return TlsContexts.mutual(TlsFixtures.file(name + ".crt"), TlsFixtures.file(name + ".key"), TlsFixtures.file("ca.crt"));
  }

  /** Runs a TLS handshake between two engines over in-memory buffers; throws what either throws. */
  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    int size = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
    ByteBuffer toServer = ByteBuffer.allocate(size * 4);
    ByteBuffer toClient = ByteBuffer.allocate(size * 4);
    ByteBuffer sink = ByteBuffer.allocate(client.getSession().getApplicationBufferSize() * 2);
    ByteBuffer empty = ByteBuffer.allocate(0);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 200; round++) {
      if (done(client) && done(server)) {
        return;
      }
      step(client, empty, toServer, toClient, sink);
      step(server, empty, toClient, toServer, sink);
    }
    throw new SSLException("the handshake did not finish");
  }

  private static boolean done(SSLEngine engine) {
    SSLEngineResult.HandshakeStatus status = engine.getHandshakeStatus();
    return status == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || status == SSLEngineResult.HandshakeStatus.FINISHED;
  }

  private static void step(SSLEngine engine, ByteBuffer empty, ByteBuffer out, ByteBuffer in, ByteBuffer sink)
      throws SSLException {
    switch (engine.getHandshakeStatus()) {
      case NEED_WRAP:
        engine.wrap(empty, out);
        break;
      case NEED_UNWRAP:
      case NEED_UNWRAP_AGAIN:
        in.flip();
        engine.unwrap(in, sink);
        in.compact();
        sink.clear();
        break;
      case NEED_TASK:
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
          task.run();
        }
        break;
      default:
        break;
    }
  }
}
