package io.layercake.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Implementation notes
 *
 * Keys arrive in whatever encoding the tool that made them chose: openssl 3 and cert-manager's
 * PKCS8 option write PKCS#8 ("PRIVATE KEY"), older openssl and cert-manager's default write
 * PKCS#1 for RSA ("RSA PRIVATE KEY") and SEC1 for EC ("EC PRIVATE KEY"). The JDK reads only
 * PKCS#8, so the other two are wrapped into PKCS#8 here (a few bytes of DER around the original
 * key) rather than asking operators to convert. Encrypted keys are refused with the command that
 * decrypts them: a node that restarts on its own has nowhere to get a passphrase from.
 */

/** Reads X.509 certificates and private keys from PEM files. Every error names the file. */
public final class PemFiles {

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
  private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS"};

  private PemFiles() {}

  /** Every certificate in {@code file}, in file order (a leaf first, then its chain). */
  public static List<X509Certificate> certificates(Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Block block : blocks(file)) {
      if (block.type().equals("CERTIFICATE")) {
        try {
          certificates.add((X509Certificate) CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(block.der())));
        } catch (CertificateException e) {
          throw new TlsFileException(file, "not a valid X.509 certificate: " + e.getMessage(), e);
        }
      }
    }
    if (certificates.isEmpty()) {
      throw new TlsFileException(file, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return List.copyOf(certificates);
  }

  /** The one private key in {@code file}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), unencrypted. */
  public static PrivateKey privateKey(Path file) {
    List<Block> keys = blocks(file).stream().filter(b -> b.type().endsWith("PRIVATE KEY")).toList();
    if (keys.size() != 1) {
      throw new TlsFileException(file, keys.isEmpty()
          ? "holds no PEM private key (-----BEGIN PRIVATE KEY-----)"
          : "holds " + keys.size() + " private keys; give exactly one");
    }
    Block key = keys.get(0);
    try {
      return switch (key.type()) {
        case "PRIVATE KEY" -> pkcs8(key.der());
        case "RSA PRIVATE KEY" -> pkcs8(Der.pkcs8(Der.sequence(Der.element(Der.OID, Der.RSA_ENCRYPTION),
            Der.element(Der.NULL, new byte[0])), key.der()));
        case "EC PRIVATE KEY" -> pkcs8(Der.pkcs8(Der.sequence(Der.element(Der.OID, Der.EC_PUBLIC_KEY),
            Der.element(Der.OID, sec1Curve(key.der()))), key.der()));
        case "ENCRYPTED PRIVATE KEY" -> throw new TlsFileException(file, "the private key is encrypted; a node"
            + " cannot ask for a passphrase. Decrypt it: openssl pkey -in " + file.getFileName() + " -out tls.key");
        default -> throw new TlsFileException(file, "unsupported key type '" + key.type() + "'");
      };
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new TlsFileException(file, "the " + key.type() + " cannot be read: " + e.getMessage(), e);
    }
  }

  private static PrivateKey pkcs8(byte[] der) throws GeneralSecurityException {
    GeneralSecurityException last = null;
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw new GeneralSecurityException("not an RSA, EC or EdDSA key", last);
  }

  /** The named curve's OID from a SEC1 ECPrivateKey, whose parameters field openssl always writes. */
  private static byte[] sec1Curve(byte[] der) {
    Der.Reader key = new Der.Reader(der).enter(Der.SEQUENCE);
    key.read(Der.INTEGER);
    key.read(Der.OCTET_STRING);
    while (key.hasMore()) {
      if (key.peekTag() == Der.CONTEXT_0) {
        return key.enter(Der.CONTEXT_0).read(Der.OID);
      }
      key.read(key.peekTag());
    }
    throw new IllegalArgumentException("the EC key names no curve; write it as PKCS#8 (openssl pkey)");
  }

  private static List<Block> blocks(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new TlsFileException(file, "cannot be read (" + e.getClass().getSimpleName() + ")", e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      try {
        blocks.add(new Block(matcher.group(1), Base64.getMimeDecoder().decode(matcher.group(2))));
      } catch (IllegalArgumentException e) {
        throw new TlsFileException(file, "a " + matcher.group(1) + " block is not valid base64");
      }
    }
    return blocks;
  }

  private record Block(String type, byte[] der) {}
}
