package io.layercake.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingSslContextTest {

  @TempDir Path dir;

  @Test
  void current_unchangedFiles_keepsTheContext_withoutLoadingAgain() throws Exception {
    Path cert = copy("rsa.crt", "tls.crt");
    Path key = copy("rsa-pkcs8.key", "tls.key");
    AtomicInteger loads = new AtomicInteger();
    ReloadingSslContext reloading = ReloadingSslContext.load("test", List.of(cert, key), () -> {
      loads.incrementAndGet();
      return TlsContexts.server(cert, key);
    }, Duration.ZERO);
    SSLContext first = reloading.current();
    assertSame(first, reloading.current());
    assertEquals(1, loads.get());
  }

  @Test
  void current_rotatedFiles_newContext_brokenRotationKeepsTheLastGoodOne() throws Exception {
    Path cert = copy("rsa.crt", "tls.crt");
    Path key = copy("rsa-pkcs8.key", "tls.key");
    ReloadingSslContext reloading = ReloadingSslContext.load("test", List.of(cert, key),
        () -> TlsContexts.server(cert, key), Duration.ZERO);
    SSLContext first = reloading.current();

    // Half a rotation: the EC key is in place, its certificate not yet.
    replace("ec-sec1.key", key);
    assertSame(first, reloading.current(), "a key without its certificate must not replace the context");
    replace("ec.crt", cert);
    SSLContext rotated = reloading.current();
    assertNotSame(first, rotated);
    assertEquals("ec-server", subject(rotated));
  }

  @Test
  void load_badFiles_failsAtOnce() throws Exception {
    Path cert = copy("rsa.crt", "tls.crt");
    Path key = copy("ec-sec1.key", "tls.key");
    assertThrows(TlsFileException.class, () -> ReloadingSslContext.load("test", List.of(cert, key),
        () -> TlsContexts.server(cert, key), Duration.ZERO));
  }

  private Path copy(String fixture, String name) throws Exception {
    return Files.copy(TlsFixtures.file(fixture), dir.resolve(name));
  }

  /** Replaces {@code target} atomically, as a secret mount or a careful tool does. */
  private void replace(String fixture, Path target) throws Exception {
    Path staged = Files.copy(TlsFixtures.file(fixture), dir.resolve(target.getFileName() + ".new"));
    Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The common name of the certificate {@code context} presents as a server. */
  private static String subject(SSLContext context) throws Exception {
    SSLContext trusting = SSLContext.getInstance("TLS");
    trusting.init(null, new TrustManager[] {new TrustingEveryone()}, null);
    SSLEngine client = TlsContexts.clientEngine(trusting, "localhost", 1);
    TlsContextsTest.handshake(client, TlsContexts.serverEngine(context, false));
    X509Certificate presented = (X509Certificate) client.getSession().getPeerCertificates()[0];
    return presented.getSubjectX500Principal().getName().replace("CN=", "");
  }

  /** Only to read what a server presents; never trust like this outside a test. */
  private static final class TrustingEveryone implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
