package io.layercake.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/*
 * Implementation notes
 *
 * Whom a node trusts, on both of its node-to-node channels (Akka remoting and the internal HTTPS
 * listener): a peer whose certificate chains to the cluster's CA (ca.crt; PKIX, as the JDK
 * checks it) and that shares a subject name (CN or a DNS/IP subject alternative name) with this
 * node's own certificate. The second rule is Akka's (RotatingKeysSSLEngineProvider checks it
 * after each handshake): with a CA that signs more than the cluster, only the certificates
 * issued for the cluster get in.
 *
 * A refusal's message names the certificate refused (subject and issuer), because it is what
 * the handshake's failure, and so the log line HandshakeLoggingEngine writes, carries.
 */

/** Trusts the cluster's peers only. */
final class ClusterTrustManager extends X509ExtendedTrustManager {

  private final X509ExtendedTrustManager pkix;
  private final Set<String> ownNames;
  private final String caDescription;

  ClusterTrustManager(X509ExtendedTrustManager pkix, X509Certificate own, String caDescription) {
    this.pkix = pkix;
    this.ownNames = subjectNames(own);
    this.caDescription = caDescription;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "a node that connected to this one", () -> pkix.checkClientTrusted(chain, authType));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, "a node that connected to this one", () -> pkix.checkClientTrusted(chain, authType, socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "a node that connected to this one", () -> pkix.checkClientTrusted(chain, authType, engine));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "the node this one connected to", () -> pkix.checkServerTrusted(chain, authType));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    check(chain, "the node this one connected to", () -> pkix.checkServerTrusted(chain, authType, socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "the node this one connected to", () -> pkix.checkServerTrusted(chain, authType, engine));
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }

  private void check(X509Certificate[] chain, String who, PkixCheck pkixCheck) throws CertificateException {
    String presented = chain == null || chain.length == 0 ? "no certificate"
        : "a certificate for " + chain[0].getSubjectX500Principal().getName() + " issued by "
            + chain[0].getIssuerX500Principal().getName();
    try {
      pkixCheck.run();
    } catch (CertificateException refused) {
      throw new CertificateException(who + " presented " + presented + ", which the cluster's CA (" + caDescription
          + ") did not issue: " + refused.getMessage(), refused);
    }
    Set<String> names = subjectNames(chain[0]);
    names.retainAll(ownNames);
    if (names.isEmpty()) {
      throw new CertificateException(who + " presented " + presented + ", which shares no subject name (CN or SAN)"
          + " with this node's " + ownNames + ": it was not issued for this cluster");
    }
  }

  /** The certificate's common names and DNS and IP subject alternative names, lower-cased. */
  static Set<String> subjectNames(X509Certificate certificate) {
    Set<String> names = new HashSet<>();
    try {
      for (Rdn rdn : new LdapName(certificate.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(String.valueOf(rdn.getValue()).toLowerCase(java.util.Locale.ROOT));
        }
      }
    } catch (InvalidNameException e) {
      // A subject the JDK itself rendered always parses; without it there is no CN to compare.
    }
    try {
      Collection<List<?>> alternatives = certificate.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> alternative : alternatives) {
          Object type = alternative.get(0);
          if (Integer.valueOf(2).equals(type) || Integer.valueOf(7).equals(type)) {
            names.add(String.valueOf(alternative.get(1)).toLowerCase(java.util.Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // Unreadable alternative names add nothing.
    }
    return names;
  }

  private interface PkixCheck {
    void run() throws CertificateException;
  }
}
