package io.layercake.cluster;

import io.layercake.tls.PemFiles;
import io.layercake.tls.ReloadingSslContext;
import io.layercake.tls.TlsContexts;
import io.layercake.tls.TlsFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/*
 * Implementation notes
 *
 * One directory, the layout a Kubernetes TLS secret (or cert-manager's) mounts: tls.key, tls.crt
 * and ca.crt. Remoting (RemotingTls) and the node-to-node HTTPS listener both use these files,
 * through io.layercake.tls, and both reload them when they change. Mistakes in them would show
 * only as handshakes failing at run time, so start-up checks what it can from one node, with
 * messages that say what to change: the key reads and belongs to the certificate, the
 * certificate chains to ca.crt, and it is valid now. What it cannot check from one node is that
 * every node's certificate shares a subject name with the others; cluster-config/tls/make-certs
 * gives them all CN=layercake-cluster.
 */

/**
 * The cluster's TLS files, checked: remoting is mutually authenticated TLS with them, and so are
 * blob transfers between nodes. A node holding a certificate the cluster's CA did not issue
 * cannot join.
 *
 * @param dir the directory holding the three files
 */
public record ClusterTls(Path dir) {

  /** The node's private key. */
  public Path keyFile() {
    return dir.resolve("tls.key");
  }

  /** The node's certificate (then any intermediates), issued under the CA in {@link #caFile()}. */
  public Path certFile() {
    return dir.resolve("tls.crt");
  }

  /** The cluster's CA: only certificates issued under it are let in. */
  public Path caFile() {
    return dir.resolve("ca.crt");
  }

  /**
   * Checks the files in {@code dir}; every error names {@code key} and the file.
   */
  static ClusterTls check(Path dir, String key) {
    ClusterTls tls = new ClusterTls(dir.toAbsolutePath().normalize());
    try {
      if (!Files.isDirectory(tls.dir())) {
        throw new IllegalArgumentException("not a directory");
      }
      List<X509Certificate> chain = PemFiles.certificates(tls.certFile());
      chain.get(0).checkValidity();
      requireChainsTo(chain, PemFiles.certificates(tls.caFile()), tls);
      // Reads the key and checks it belongs to the certificate.
      tls.context();
      return tls;
    } catch (CertificateExpiredException | CertificateNotYetValidException e) {
      throw new IllegalArgumentException(key + " (" + dir + "): " + tls.certFile() + " is not valid now: "
          + e.getMessage(), e);
    } catch (IllegalArgumentException | TlsFileException e) {
      throw new IllegalArgumentException(key + " (" + dir + "): " + e.getMessage(), e);
    }
  }

  /** A mutual-TLS context over the files as they are now. */
  public SSLContext context() {
    return TlsContexts.mutual(certFile(), keyFile(), caFile());
  }

  /**
   * A mutual-TLS context for remoting and the node-to-node listener, rebuilt when the files
   * change. Checked every ten seconds at most: well inside any rotation's overlap, and a few stat
   * calls.
   */
  public ReloadingSslContext reloading() {
    return ReloadingSslContext.load("the cluster's TLS certificate", List.of(certFile(), keyFile(), caFile()),
        this::context, Duration.ofSeconds(10));
  }

  /** Akka's keys that make remoting TLS with these files. */
  public Map<String, Object> akkaSettings() {
    return Map.of(
        "akka.remote.artery.transport", "tls-tcp",
        "akka.remote.artery.ssl.ssl-engine-provider", RemotingTls.class.getName());
  }

  private static void requireChainsTo(List<X509Certificate> chain, List<X509Certificate> cas, ClusterTls tls) {
    try {
      Set<TrustAnchor> anchors = new HashSet<>();
      cas.forEach(ca -> anchors.add(new TrustAnchor(ca, null)));
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(chain),
          parameters);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(tls.certFile() + " does not chain to the CA in " + tls.caFile() + ": "
          + e.getMessage(), e);
    }
  }
}
