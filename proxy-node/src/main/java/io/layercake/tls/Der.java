package io.layercake.tls;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/**
 * Just enough DER to turn the two legacy private key encodings (PKCS#1 for RSA, SEC1 for EC)
 * into PKCS#8, which is all the JDK's key factories read. Not a general ASN.1 library.
 */
final class Der {

  static final int INTEGER = 0x02;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int SEQUENCE = 0x30;
  /** {@code [0]} constructed: SEC1's optional curve parameters. */
  static final int CONTEXT_0 = 0xa0;

  /** rsaEncryption, 1.2.840.113549.1.1.1. */
  static final byte[] RSA_ENCRYPTION = {0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
  /** id-ecPublicKey, 1.2.840.10045.2.1. */
  static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private Der() {}

  /** A tag-length-value element. */
  static byte[] element(int tag, byte[] value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
    out.write(tag);
    if (value.length < 0x80) {
      out.write(value.length);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(value.length) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write(value.length >>> (8 * i));
      }
    }
    out.writeBytes(value);
    return out.toByteArray();
  }

  /** A SEQUENCE of already encoded elements. */
  static byte[] sequence(byte[]... elements) {
    ByteArrayOutputStream content = new ByteArrayOutputStream();
    for (byte[] element : elements) {
      content.writeBytes(element);
    }
    return element(SEQUENCE, content.toByteArray());
  }

  /** A PKCS#8 PrivateKeyInfo around a key in its algorithm's own encoding. */
  static byte[] pkcs8(byte[] algorithmIdentifier, byte[] privateKey) {
    return sequence(element(INTEGER, new byte[] {0}), algorithmIdentifier, element(OCTET_STRING, privateKey));
  }

  /** Reads elements one after another from a byte range. */
  static final class Reader {
    private final byte[] data;
    private int position;
    private final int end;

    Reader(byte[] data) {
      this(data, 0, data.length);
    }

    private Reader(byte[] data, int start, int end) {
      this.data = data;
      this.position = start;
      this.end = end;
    }

    boolean hasMore() {
      return position < end;
    }

    /** The next element's tag, without consuming it. */
    int peekTag() {
      require(position < end);
      return data[position] & 0xff;
    }

    /** The next element's value; its tag must be {@code tag}. */
    byte[] read(int tag) {
      int[] bounds = next(tag);
      return Arrays.copyOfRange(data, bounds[0], bounds[1]);
    }

    /** A reader over the next element's content; its tag must be {@code tag}. */
    Reader enter(int tag) {
      int[] bounds = next(tag);
      return new Reader(data, bounds[0], bounds[1]);
    }

    private int[] next(int tag) {
      require(position + 2 <= end && (data[position] & 0xff) == tag);
      position++;
      int length = data[position++] & 0xff;
      if (length >= 0x80) {
        int bytes = length & 0x7f;
        require(bytes >= 1 && bytes <= 3 && position + bytes <= end);
        length = 0;
        for (int i = 0; i < bytes; i++) {
          length = (length << 8) | (data[position++] & 0xff);
        }
      }
      require(length <= end - position);
      int start = position;
      position += length;
      return new int[] {start, position};
    }

    private static void require(boolean condition) {
      if (!condition) {
        throw new IllegalArgumentException("malformed DER");
      }
    }
  }
}
