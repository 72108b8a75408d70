package io.layercake.tls;

import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * Keys and certificates made once with openssl for these tests (test resources under
 * {@code io/layercake/tls/}, valid for a hundred years, private to the tests): RSA, EC and
 * Ed25519 keys in every encoding, self-signed server certificates, and a test cluster CA with two
 * nodes ({@code CN=layercake-cluster}) and one certificate it issued for something else.
 */
final class TlsFixtures {

  private TlsFixtures() {}

  static Path file(String name) {
    try {
      return Path.of(TlsFixtures.class.getResource(name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("missing test resource io/layercake/tls/" + name, e);
    }
  }
}
