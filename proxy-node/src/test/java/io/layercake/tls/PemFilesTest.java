package io.layercake.tls;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

  @TempDir Path dir;

  @Test
  void privateKey_rsaInPkcs1AndPkcs8_isTheSameKey() {
    PrivateKey pkcs1 = PemFiles.privateKey(TlsFixtures.file("rsa-pkcs1.key"));
    PrivateKey pkcs8 = PemFiles.privateKey(TlsFixtures.file("rsa-pkcs8.key"));
    assertEquals("RSA", pkcs1.getAlgorithm());
    assertArrayEquals(pkcs8.getEncoded(), pkcs1.getEncoded());
  }

  @Test
  void privateKey_ecInSec1AndPkcs8_isTheSameKey() {
    PrivateKey sec1 = PemFiles.privateKey(TlsFixtures.file("ec-sec1.key"));
    PrivateKey pkcs8 = PemFiles.privateKey(TlsFixtures.file("ec-pkcs8.key"));
    assertEquals("EC", sec1.getAlgorithm());
    assertEquals(((java.security.interfaces.ECPrivateKey) pkcs8).getS(),
        ((java.security.interfaces.ECPrivateKey) sec1).getS());
  }

  @Test
  void privateKey_ed25519() {
    assertTrue(PemFiles.privateKey(TlsFixtures.file("ed25519.key")).getAlgorithm().startsWith("Ed"));
  }

  @Test
  void privateKey_encrypted_isRefusedWithTheCommandThatDecryptsIt() {
    TlsFileException refused = assertThrows(TlsFileException.class,
        () -> PemFiles.privateKey(TlsFixtures.file("rsa-encrypted.key")));
    assertTrue(refused.getMessage().contains("openssl pkey"), refused.getMessage());
  }

  @Test
  void privateKey_certificateFile_namesTheFile() {
    TlsFileException refused = assertThrows(TlsFileException.class,
        () -> PemFiles.privateKey(TlsFixtures.file("rsa.crt")));
    assertTrue(refused.getMessage().startsWith(TlsFixtures.file("rsa.crt").toString()), refused.getMessage());
    assertTrue(refused.getMessage().contains("no PEM private key"), refused.getMessage());
  }

  @Test
  void privateKey_missingFile_namesIt() {
    TlsFileException refused = assertThrows(TlsFileException.class, () -> PemFiles.privateKey(dir.resolve("none")));
    assertTrue(refused.getMessage().contains("cannot be read"), refused.getMessage());
  }

  @Test
  void privateKey_brokenBase64_isRefused() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.key"),
        "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n");
    assertThrows(TlsFileException.class, () -> PemFiles.privateKey(broken));
  }

  @Test
  void privateKey_garbageInsideValidPem_isRefusedNotCrashed() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.key"),
        "-----BEGIN EC PRIVATE KEY-----\nAAECAwQF\n-----END EC PRIVATE KEY-----\n");
    assertThrows(TlsFileException.class, () -> PemFiles.privateKey(garbage));
  }

  @Test
  void certificates_chainInFileOrder() throws Exception {
    Path chain = dir.resolve("chain.crt");
    Files.writeString(chain, Files.readString(TlsFixtures.file("node-a.crt")) + Files.readString(TlsFixtures.file("ca.crt")));
    List<X509Certificate> certificates = PemFiles.certificates(chain);
    assertEquals(2, certificates.size());
    assertTrue(certificates.get(0).getSubjectX500Principal().getName().contains("layercake-cluster"));
    assertTrue(certificates.get(1).getSubjectX500Principal().getName().contains("test cluster CA"));
  }

  @Test
  void certificates_keyFile_isRefused() {
    assertThrows(TlsFileException.class, () -> PemFiles.certificates(TlsFixtures.file("rsa-pkcs8.key")));
  }
}
