package io.layercake.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.cli.LayercakeCli;
import io.layercake.testkit.Await;
import io.layercake.testkit.DebianRegistry;
import io.layercake.testkit.DirLayoutReader;
import io.layercake.testkit.Htpasswd;
import io.layercake.testkit.Image;
import io.layercake.testkit.ImageFormat;
import io.layercake.testkit.MakeCerts;
import io.layercake.testkit.NodeProcess;
import io.layercake.testkit.Platform;
import io.layercake.testkit.Podman;
import io.layercake.testkit.RequiredClient;
import io.layercake.testkit.Skopeo;
import io.layercake.testkit.SkopeoException;
import io.layercake.testkit.TestImage;
import io.layercake.tls.PemFiles;
import io.layercake.tls.TlsContexts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, acceptance 3: a node with HTTPS and htpasswd pull authentication, pulled from by the
 * real skopeo and podman with credentials and the CA given, as their users configure them. Without
 * credentials, or with a wrong password, they get 401; a user outside a repository's read rule
 * gets 403 DENIED. No password, hash or token reaches the node's log, and a certificate replaced
 * on disk is served to new connections with no restart.
 */
class SecureRegistryIntegrationTest {

  private static final String ALICE_PASSWORD = "alice-Pa55-word";
  private static final String BOB_PASSWORD = "bob-Pa55-word";
  private static final String WRONG_PASSWORD = "not-Alice-Pa55";
  private static final String ADMIN_TOKEN = "secure-admin-token-93f1";

  @TempDir Path work;

  @Test
  void httpsAndHtpasswd_skopeoAndPodmanPullWithCredentials_401Without_403OutsideRules_noSecretInLog()
      throws Exception {
    RequiredClient.check("docker-registry", DebianRegistry.isInstalled());
    RequiredClient.check("skopeo", Skopeo.isInstalled());
    RequiredClient.check("podman", Podman.isInstalled());
    RequiredClient.check("htpasswd (apache2-utils)", Htpasswd.isInstalled());

    Path certs = MakeCerts.make("registry", work.resolve("registry-ca"), "127.0.0.1");
    Path served = Files.createDirectories(work.resolve("served"));
    Files.copy(certs.resolve("tls.crt"), served.resolve("tls.crt"));
    Files.copy(certs.resolve("tls.key"), served.resolve("tls.key"));
    // What clients are given: the CA alone (skopeo and podman read *.crt in it as roots).
    Path clientCerts = Files.createDirectories(work.resolve("client-certs"));
    Files.copy(certs.resolve("ca.crt"), clientCerts.resolve("ca.crt"));
    Path htpasswd = Htpasswd.at(work.resolve("users.htpasswd"))
        .add("-c -B -C 5", "alice", ALICE_PASSWORD)
        .add("-B -C 5", "bob", BOB_PASSWORD)
        .file();
    Path config = Files.writeString(work.resolve("node.conf"), String.join("\n",
        "layercake.auth.read-rules = [",
        "  { users = [\"alice\"], repositories = [\"*\"] }",
        "  { users = [\"bob\"], repositories = [\"library/public-*\"] }",
        "]", ""));

    Image privateImage = TestImage.singlePlatform(ImageFormat.OCI, 41, 300_000, 200_000);
    Image publicImage = TestImage.singlePlatform(ImageFormat.DOCKER, 42, 250_000);
    try (DebianRegistry upstream = new DebianRegistry(work.resolve("upstream")).start()) {
      Skopeo.push(privateImage, upstream.url(), "library/private-app:1");
      Skopeo.push(publicImage, upstream.url(), "library/public-app:1");
      SSLContext trustCa = TlsContexts.trusting(certs.resolve("ca.crt"));
      try (NodeProcess node = NodeProcess.builder(work.resolve("data"), upstream.url())
          .jvmOption("-Dconfig.file=" + config)
          .property("layercake.http.tls.cert-file", served.resolve("tls.crt"))
          .property("layercake.http.tls.key-file", served.resolve("tls.key"))
          .property("layercake.http.tls.reload-check-interval", "1s")
          .property("layercake.auth.htpasswd", htpasswd)
          .property("layercake.admin.token", ADMIN_TOKEN)
          .https(trustCa)
          .start()) {
        String host = "127.0.0.1:" + node.httpPort();

        // The protocol as clients see it.
        HttpResponse<String> challenge = get(node, "/v2/", null);
        assertEquals(401, challenge.statusCode(), challenge.body());
        assertEquals("Basic realm=\"layercake\"", challenge.headers().firstValue("WWW-Authenticate").orElse(""));
        assertTrue(challenge.body().contains("\"UNAUTHORIZED\""), challenge.body());
        assertEquals(200, get(node, "/v2/", basic("alice", ALICE_PASSWORD)).statusCode());
        assertEquals(401, get(node, "/v2/", basic("alice", WRONG_PASSWORD)).statusCode());
        assertEquals(401, get(node, "/v2/library/private-app/manifests/1", null).statusCode());
        HttpResponse<String> denied = get(node, "/v2/library/private-app/manifests/1", basic("bob", BOB_PASSWORD));
        assertEquals(403, denied.statusCode(), denied.body());
        assertTrue(denied.body().contains("\"DENIED\""), denied.body());
        // Malformed Authorization headers, which Akka would log with their value if it were let.
        assertEquals(401, get(node, "/v2/", "Basic alice:" + ALICE_PASSWORD).statusCode());
        assertEquals(401, get(node, "/admin/images", "Bearer " + ADMIN_TOKEN + " !$ " + ADMIN_TOKEN).statusCode());
        assertEquals(200, get(node, "/livez", null).statusCode());
        assertEquals(200, get(node, "/readyz", null).statusCode());
        assertEquals(401, get(node, "/", null).statusCode(), "the status page names pulled images");
        assertThrows(IOException.class, () -> java.net.http.HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://" + host + "/v2/")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()), "plain HTTP on the HTTPS port");

        // The admin CLI reaches the HTTPS node given the CA, and says why not without it.
        LayercakeCli.Output admin = LayercakeCli.run(Map.of("LAYERCAKE_ADMIN_TOKEN", ADMIN_TOKEN,
            "LAYERCAKE_CA_CERT", certs.resolve("ca.crt").toString()), "cluster", "--url", node.url());
        assertEquals(0, admin.status(), admin.err());
        assertTrue(admin.out().contains(" Up "), admin.out());
        LayercakeCli.Output untrusted = LayercakeCli.run(Map.of("LAYERCAKE_ADMIN_TOKEN", ADMIN_TOKEN),
            "cluster", "--url", node.url());
        assertEquals(1, untrusted.status(), untrusted.out());
        assertTrue(untrusted.err().startsWith("layercake: cannot reach the node"), untrusted.err());

        // skopeo, with credentials and the CA.
        Skopeo skopeo = Skopeo.create();
        Path direct = work.resolve("direct");
        skopeo.copyToDir(upstream.hostPort() + "/library/private-app:1", direct, false);
        Path pulled = work.resolve("skopeo-alice");
        skopeo.run(List.of("--insecure-policy", "copy", "--quiet", "--src-cert-dir", clientCerts.toString(),
            "--src-creds", "alice:" + ALICE_PASSWORD, "docker://" + host + "/library/private-app:1", "dir:" + pulled));
        assertEquals(new TreeSet<>(DirLayoutReader.verifiedDigests(direct)),
            new TreeSet<>(DirLayoutReader.verifiedDigests(pulled)), "skopeo got the upstream's blobs");
        assertEquals(privateImage.digest(), Skopeo.create().run(List.of("inspect", "--format", "{{.Digest}}",
            "--cert-dir", clientCerts.toString(), "--creds", "alice:" + ALICE_PASSWORD,
            "docker://" + host + "/library/private-app:1")).stdoutText().trim());

        // Read rules hold for cached content too: bob may not read private-app's content by digest
        // through a repository he may read, while alice, whom no rule limits, may.
        String privateLayer = privateImage.blobs().get(privateImage.blobs().size() - 1).digest();
        HttpResponse<String> crossBlob = get(node, "/v2/library/public-app/blobs/" + privateLayer,
            basic("bob", BOB_PASSWORD));
        assertEquals(404, crossBlob.statusCode(), crossBlob.body());
        assertTrue(crossBlob.body().contains("BLOB_UNKNOWN"), crossBlob.body());
        HttpResponse<String> crossManifest = get(node, "/v2/library/public-app/manifests/" + privateImage.digest(),
            basic("bob", BOB_PASSWORD));
        assertEquals(404, crossManifest.statusCode(), crossManifest.body());
        assertEquals(200, get(node, "/v2/library/public-app/blobs/" + privateLayer, basic("alice", ALICE_PASSWORD))
            .statusCode());

        String anonymous = skopeoFails(skopeo, clientCerts, null, host + "/library/private-app:1");
        assertTrue(anonymous.contains("authentication required") || anonymous.contains("unauthorized"), anonymous);
        String wrong = skopeoFails(skopeo, clientCerts, "alice:" + WRONG_PASSWORD, host + "/library/private-app:1");
        assertTrue(wrong.contains("unauthorized") || wrong.contains("incorrect"), wrong);
        String outsideRule = skopeoFails(skopeo, clientCerts, "bob:" + BOB_PASSWORD, host + "/library/private-app:1");
        assertTrue(outsideRule.contains("denied"), outsideRule);
        skopeo.run(List.of("--insecure-policy", "copy", "--quiet", "--src-cert-dir", clientCerts.toString(),
            "--src-creds", "bob:" + BOB_PASSWORD, "docker://" + host + "/library/public-app:1",
            "dir:" + work.resolve("skopeo-bob")));
        String withoutCa = skopeoFails(Skopeo.create(), Files.createDirectories(work.resolve("no-certs")),
            "alice:" + ALICE_PASSWORD, host + "/library/private-app:1");
        assertTrue(withoutCa.contains("x509") || withoutCa.contains("certificate"), withoutCa);

        // podman, with credentials and the CA; a private store.
        Path registries = Files.writeString(work.resolve("registries.conf"), "unqualified-search-registries = []\n");
        Podman podman = Podman.create(Files.createDirectories(work.resolve("podman")), registries, Duration.ofMinutes(3));
        podman.pull(host + "/library/private-app:1", Platform.LINUX_AMD64,
            List.of("--cert-dir", clientCerts.toString(), "--creds", "alice:" + ALICE_PASSWORD));
        assertEquals(privateImage.digest(), podman.inspect(host + "/library/private-app:1").digest());
        IllegalStateException podmanAnonymous = assertThrows(IllegalStateException.class, () -> podman.pull(
            host + "/library/public-app:1", Platform.LINUX_AMD64, List.of("--cert-dir", clientCerts.toString())));
        assertTrue(podmanAnonymous.getMessage().contains("authentication required")
            || podmanAnonymous.getMessage().contains("unauthorized"), podmanAnonymous.getMessage());
        IllegalStateException podmanWrong = assertThrows(IllegalStateException.class, () -> podman.pull(
            host + "/library/public-app:1", Platform.LINUX_AMD64,
            List.of("--cert-dir", clientCerts.toString(), "--creds", "bob:" + WRONG_PASSWORD)));
        assertTrue(podmanWrong.getMessage().contains("unauthorized") || podmanWrong.getMessage().contains("incorrect"),
            podmanWrong.getMessage());

        // A new certificate on disk reaches new connections, with no restart.
        X509Certificate before = presented(node.httpPort(), trustCa);
        Path renewed = MakeCerts.make("registry", work.resolve("registry-ca"), "127.0.0.1");
        Files.copy(renewed.resolve("tls.key"), served.resolve("tls.key.new"));
        Files.copy(renewed.resolve("tls.crt"), served.resolve("tls.crt.new"));
        Files.move(served.resolve("tls.key.new"), served.resolve("tls.key"), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        Files.move(served.resolve("tls.crt.new"), served.resolve("tls.crt"), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        X509Certificate expected = PemFiles.certificates(served.resolve("tls.crt")).get(0);
        assertNotEquals(before.getSerialNumber(), expected.getSerialNumber());
        Await.until(Duration.ofSeconds(20), "the renewed certificate served",
            () -> presented(node.httpPort(), trustCa).getSerialNumber().equals(expected.getSerialNumber()));
        assertEquals(200, get(node, "/v2/", basic("alice", ALICE_PASSWORD)).statusCode());

        String log = node.logText();
        List<String> leaked = new ArrayList<>();
        for (String secret : List.of(ALICE_PASSWORD, BOB_PASSWORD, WRONG_PASSWORD, ADMIN_TOKEN,
            credentials("alice", ALICE_PASSWORD), credentials("bob", BOB_PASSWORD), "$2y$")) {
          if (log.contains(secret)) {
            leaked.add(secret);
          }
        }
        assertEquals(List.of(), leaked, "secrets in the node's log:\n" + log);
        assertFalse(log.contains(" ERROR "), log);
      }
    }
  }

  /** Runs {@code skopeo inspect} of {@code reference}, which must fail; returns its message. */
  private static String skopeoFails(Skopeo skopeo, Path certDir, String creds, String reference) {
    List<String> args = new ArrayList<>(List.of("inspect", "--raw", "--cert-dir", certDir.toString()));
    if (creds != null) {
      args.addAll(List.of("--creds", creds));
    } else {
      args.add("--no-creds");
    }
    args.add("docker://" + reference);
    SkopeoException failed = assertThrows(SkopeoException.class, () -> skopeo.run(args));
    return failed.getMessage();
  }

  private static HttpResponse<String> get(NodeProcess node, String path, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(10));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return node.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String basic(String user, String password) {
    return "Basic " + credentials(user, password);
  }

  private static String credentials(String user, String password) {
    return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The certificate the server on {@code port} presents to a new connection. */
  private static X509Certificate presented(int port, SSLContext tls) {
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }


}
