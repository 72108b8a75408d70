package io.layercake.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.cli.LayercakeCli;
import io.layercake.testkit.Await;
import io.layercake.testkit.ClusterReport;
import io.layercake.testkit.FakeImages;
import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.FreePorts;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MakeCerts;
import io.layercake.testkit.MirrorClient;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.NodeProcessCluster;
import io.layercake.testkit.RawHttp;
import io.layercake.testkit.TestCluster;
import io.layercake.testkit.TestImage;
import io.layercake.tls.TlsContexts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, acceptance 2: three nodes with certificates from one CA form a cluster over mutual
 * TLS, stream blobs to each other over the mutually authenticated internal listener, and a fourth
 * node whose certificate another CA signed never becomes a member, although it knows the seeds
 * and the cluster secret; both sides log the refused handshake. Junk on the remoting port does
 * not disturb the cluster.
 */
class ClusterTlsIntegrationTest {

  private static final String REPOSITORY = "library/tls";
  private static final MirrorClient.Policy ONE_TRY = new MirrorClient.Policy(
      1, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofMillis(100));
  private static final String REFUSED_INBOUND = "TLS handshake failed on cluster remoting, accepting a connection";
  private static final String REFUSED_OUTBOUND = "TLS handshake failed on cluster remoting, connecting to";

  @TempDir Path work;

  @Test
  void threeNodesOfOneCa_formClusterOverTls_nodeOfAnotherCaNeverJoins_junkIsHarmless() throws Exception {
    // Named for no address the nodes use, as on Kubernetes, where pod IPs are not known when the
    // certificate is issued: nodes trust the CA and a shared subject name, not host names.
    Path clusterCerts = MakeCerts.make("cluster", work.resolve("cluster-ca"), "layercake-node");
    Path rogueCerts = MakeCerts.make("cluster", work.resolve("rogue-ca"), "layercake-node");
    TestImage.Builder builder = TestImage.builder(ImageFormat.OCI, 909);
    IntStream.range(0, 8).forEach(i -> builder.layer(200_000 + i * 10_000L));
    Image image = builder.build();

    try (FakeRegistry upstream = FakeRegistry.start(FakeRegistry.Options.defaults().tokenAuth(true));
        NodeProcessCluster cluster = NodeProcessCluster.start(3, work.resolve("nodes"), upstream.url(),
            Map.of("layercake.cluster.tls-dir", clusterCerts.toString()))) {
      FakeImages.publish(upstream, REPOSITORY, "1", image);
      for (int i = 0; i < 3; i++) {
        assertTrue(cluster.node(i).logText().contains("uses mutual TLS with the files in"),
            cluster.node(i).logText());
        assertFalse(cluster.node(i).logText().contains("NEITHER ENCRYPTED"), cluster.node(i).logText());
      }

      // Every blob through node 0: the blobs other nodes own reach it over the internal TLS listener.
      new MirrorClient(List.of(cluster.url(0)), ONE_TRY).pull(REPOSITORY, "1", image, 1).get(60, TimeUnit.SECONDS);
      assertEquals(image.blobs().size(), blobDownloads(upstream), "each blob fetched upstream once");
      assertTrue(cluster.report(0).members().stream().filter(m -> m.blobBytes() > 0).count() >= 2,
          "blobs spread over the nodes: " + cluster.report(0).json());

      // The internal endpoint is not on the registry port, and its own port wants a cluster certificate.
      assertEquals(404, RawHttp.send(cluster.node(0).httpPort(), "GET /internal/stats HTTP/1.1\r\nHost: x\r\n"
          + PeerClient.SECRET_HEADER + ": " + TestCluster.SECRET + "\r\nConnection: close\r\n\r\n").status());
      int internal = cluster.internalPort(1);
      assertThrows(IOException.class, () -> internalStats(internal, TlsContexts.trusting(clusterCerts.resolve("ca.crt"))),
          "a client without a cluster certificate got in");
      assertThrows(IOException.class, () -> internalStats(internal, TlsContexts.mutual(rogueCerts.resolve("tls.crt"),
          rogueCerts.resolve("tls.key"), clusterCerts.resolve("ca.crt"))), "another CA's certificate got in");
      assertTrue(internalStats(internal, TlsContexts.mutual(clusterCerts.resolve("tls.crt"),
          clusterCerts.resolve("tls.key"), clusterCerts.resolve("ca.crt"))).startsWith("HTTP/1.1 200"));

      // Junk on the remoting port: random bytes, then an HTTP request.
      try (Socket socket = new Socket("127.0.0.1", cluster.remotingPort(0))) {
        byte[] junk = new byte[4096];
        new Random(7).nextBytes(junk);
        OutputStream out = socket.getOutputStream();
        out.write(junk);
        out.flush();
      }
      try (Socket socket = new Socket("127.0.0.1", cluster.remotingPort(1))) {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
      }

      // A node of another CA that knows the seeds and the secret.
      try (NodeProcess rogue = NodeProcess.builder(work.resolve("rogue"), upstream.url())
          .properties(Map.of(
              "layercake.cluster.port", FreePorts.next(),
              "layercake.cluster.internal-port", FreePorts.next(),
              "layercake.cluster.seed-nodes", cluster.seedNodes(),
              "layercake.cluster.secret", TestCluster.SECRET,
              "layercake.cluster.tls-dir", rogueCerts.toString()))
          .start()) {
        Await.until(Duration.ofSeconds(60), "both sides log the refused handshake", () ->
            rogue.logText().contains(REFUSED_OUTBOUND)
                && IntStream.range(0, 3).anyMatch(i -> cluster.node(i).logText().contains(REFUSED_INBOUND)));
        // The rogue asks its seeds to join every 5 s; give it three more tries.
        Await.holds(Duration.ofSeconds(15), "the rogue is never let in", () -> !rogue.logText().contains("Welcome from"));
        assertEquals(503, HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(rogue.url() + "/readyz"))
            .build(), HttpResponse.BodyHandlers.discarding()).statusCode(), "the rogue is not serving");
        for (int i = 0; i < 3; i++) {
          ClusterReport report = cluster.report(i);
          assertTrue(report.hasUpMembers(3), report.json());
          assertEquals(3, report.members().size(), report.json());
        }
        LayercakeCli.Output shown = LayercakeCli.run(Map.of("LAYERCAKE_ADMIN_TOKEN", NodeProcessCluster.ADMIN_TOKEN),
            "cluster", "--url", cluster.url(2));
        assertEquals(0, shown.status(), shown.err());
        assertEquals(3, shown.out().lines().filter(line -> line.contains(" Up ")).count(), shown.out());
      }

      // The cluster still serves, through another node, with nothing fetched again.
      new MirrorClient(List.of(cluster.url(2)), ONE_TRY).pull(REPOSITORY, "1", image, 2).get(60, TimeUnit.SECONDS);
      assertEquals(image.blobs().size(), blobDownloads(upstream), "a blob was fetched upstream again");
    }
  }

  /** Blob GETs upstream answered (with a token): the first, anonymous try of each node only gets a 401. */
  private static long blobDownloads(FakeRegistry upstream) {
    return upstream.requests().stream()
        .filter(r -> r.method().equals("GET") && r.path().contains("/blobs/") && r.hasAuthorization())
        .count();
  }

  /**
   * {@code GET /internal/stats} on a node's internal TLS listener, with the cluster secret, over
   * {@code tls}; the status line. A plain TLS socket: like the nodes, it checks no host name.
   */
  private static String internalStats(int port, SSLContext tls) throws IOException {
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET /internal/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n" + PeerClient.SECRET_HEADER
          + ": " + TestCluster.SECRET + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
      if (status == null) {
        throw new IOException("the listener closed the connection");
      }
      return status;
    }
  }



}
