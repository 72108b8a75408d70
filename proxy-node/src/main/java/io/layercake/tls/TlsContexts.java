package io.layercake.tls;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * SSL contexts and engines from PEM files: a server identity for the registry port, and mutual
 * TLS between the nodes of a cluster.
 *
 * <p>Mutual TLS here trusts the certificates the cluster's CA issued for the cluster (see
 * {@link ClusterTrustManager}), and does not check host names: nodes come and go with addresses
 * that are not known when certificates are issued (pod IPs). This is the model of Akka's
 * {@code RotatingKeysSSLEngineProvider}.
 */
public final class TlsContexts {

  private static final char[] NO_PASSWORD = new char[0];

  private TlsContexts() {}

  /** A context that presents the chain in {@code certFile} with the key in {@code keyFile}. */
  public static SSLContext server(Path certFile, Path keyFile) {
    return context(certFile, keyFile, null);
  }

  /**
   * A context for mutual TLS: presents {@code certFile} with {@code keyFile}, and trusts only
   * certificates issued by a CA in {@code caFile}.
   */
  public static SSLContext mutual(Path certFile, Path keyFile, Path caFile) {
    return context(certFile, keyFile, caFile);
  }

  /**
   * A client context that trusts only the CAs in {@code caFile} and presents no certificate: for
   * talking to a registry port whose certificate a private CA issued.
   */
  public static SSLContext trusting(Path caFile) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers(caFile), new SecureRandom());
      return context;
    } catch (GeneralSecurityException e) {
      throw new TlsFileException(caFile, "cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** A server-side engine; {@code requireClientCertificate} makes the peer prove who it is too. */
  public static SSLEngine serverEngine(SSLContext context, boolean requireClientCertificate) {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setNeedClientAuth(requireClientCertificate);
    return engine;
  }

  /** A client-side engine for {@code host:port}. */
  public static SSLEngine clientEngine(SSLContext context, String host, int port) {
    SSLEngine engine = context.createSSLEngine(host, port);
    engine.setUseClientMode(true);
    return engine;
  }

  /**
   * A server-side engine between nodes: the peer must present a certificate, and a failed
   * handshake is logged, naming {@code channel} ("cluster remoting", ...).
   */
  public static SSLEngine clusterServerEngine(SSLContext context, String channel) {
    return new HandshakeLoggingEngine(serverEngine(context, true), channel);
  }

  /** A client-side engine between nodes, for {@code host:port}; a failed handshake is logged. */
  public static SSLEngine clusterClientEngine(SSLContext context, String host, int port, String channel) {
    return new HandshakeLoggingEngine(clientEngine(context, host, port), channel);
  }

  private static SSLContext context(Path certFile, Path keyFile, Path caFile) {
    List<X509Certificate> chain = PemFiles.certificates(certFile);
    PrivateKey key = PemFiles.privateKey(keyFile);
    requireMatch(key, chain.get(0), certFile, keyFile);
    try {
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      identity.setKeyEntry("identity", key, NO_PASSWORD, chain.toArray(X509Certificate[]::new));
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(identity, NO_PASSWORD);
      TrustManager[] trust = null;
      if (caFile != null) {
        trust = new TrustManager[] {new ClusterTrustManager((X509ExtendedTrustManager) trustManagers(caFile)[0],
            chain.get(0), caFile.toString())};
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trust, new SecureRandom());
      return context;
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsFileException(certFile, "cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** PKIX trust managers whose anchors are the certificates in {@code caFile}, and nothing else. */
  private static TrustManager[] trustManagers(Path caFile) throws GeneralSecurityException {
    try {
      KeyStore anchors = KeyStore.getInstance("PKCS12");
      anchors.load(null, null);
      int index = 0;
      for (X509Certificate ca : PemFiles.certificates(caFile)) {
        anchors.setCertificateEntry("ca-" + index++, ca);
      }
      TrustManagerFactory pkix = TrustManagerFactory.getInstance("PKIX");
      pkix.init(anchors);
      return pkix.getTrustManagers();
    } catch (java.io.IOException e) {
      throw new TlsFileException(caFile, "cannot hold its certificates: " + e.getMessage(), e);
    }
  }

  /** Fails unless {@code key} is the private half of the certificate's public key. */
  static void requireMatch(PrivateKey key, X509Certificate certificate, Path certFile, Path keyFile) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      case "RSASSA-PSS" -> null;
      default -> key.getAlgorithm();
    };
    if (algorithm == null) {
      return;
    }
    try {
      byte[] probe = "layercake key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      if (verifier.verify(signature)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // Different key types end up here too: they do not match either.
    }
    throw new TlsFileException(keyFile, "does not belong to the certificate in " + certFile
        + " (" + certificate.getSubjectX500Principal().getName() + ")");
  }
}
