package io.layercake.http;

import com.typesafe.config.Config;
import io.layercake.SettingsChecks;
import io.layercake.tls.ReloadingSslContext;
import io.layercake.tls.TlsContexts;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where and how the registry API listens, read from {@code layercake.http}.
 *
 * @param interfaceAddress the address to bind
 * @param port the TCP port; 0 picks a free one (tests)
 * @param tls the certificate and key for HTTPS; empty serves plain HTTP
 * @param tlsCheckInterval the least time between two looks at the certificate files for a rotation
 * @param shutdownDelay how long a stopping node keeps serving after {@code /readyz} turned 503
 */
public record HttpSettings(String interfaceAddress, int port, Optional<TlsFiles> tls, Duration tlsCheckInterval,
    Duration shutdownDelay) {

  /**
   * The registry port's certificate.
   *
   * @param certFile the PEM certificate chain, leaf first
   * @param keyFile the PEM private key of the leaf
   */
  public record TlsFiles(Path certFile, Path keyFile) {

    /** A context over the files, rebuilt when they change on disk. */
    public ReloadingSslContext reloading(Duration checkEvery) {
      return ReloadingSslContext.load("the registry port's certificate", List.of(certFile, keyFile),
          () -> TlsContexts.server(certFile, keyFile), checkEvery);
    }
  }

  /** Reads and validates {@code layercake.http}; every error names its key. */
  public static HttpSettings fromConfig(Config config) {
    String address = config.getString("layercake.http.interface");
    if (address.isBlank()) {
      throw new IllegalArgumentException("layercake.http.interface must not be empty");
    }
    int port = config.getInt("layercake.http.port");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("layercake.http.port must be 0..65535, got " + port);
    }
    String cert = config.getString("layercake.http.tls.cert-file").trim();
    String key = config.getString("layercake.http.tls.key-file").trim();
    if (cert.isEmpty() != key.isEmpty()) {
      throw new IllegalArgumentException("layercake.http.tls.cert-file (LAYERCAKE_HTTP_TLS_CERT) and"
          + " layercake.http.tls.key-file (LAYERCAKE_HTTP_TLS_KEY) must be set together");
    }
    Optional<TlsFiles> tls = cert.isEmpty() ? Optional.empty() : Optional.of(new TlsFiles(Path.of(cert), Path.of(key)));
    return new HttpSettings(address, port, tls,
        SettingsChecks.nonNegativeDuration(config, "layercake.http.tls.reload-check-interval"),
        SettingsChecks.nonNegativeDuration(config, "layercake.http.shutdown-delay"));
  }
}
