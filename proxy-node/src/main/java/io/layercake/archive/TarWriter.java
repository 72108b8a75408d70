package io.layercake.archive;

import java.nio.charset.StandardCharsets;

/**
 * The framing of a tar archive as byte arrays, so that a streaming writer can put each member's
 * header, then its content from wherever it comes, then the padding, without holding the content.
 * Headers are ustar; sizes beyond the 11 octal digits of ustar (8 GiB) use GNU's base-256
 * encoding, which Go's archive/tar (and so docker) reads.
 */
public final class TarWriter {

  /** Tar's block size: headers are one block and content is padded to a multiple of it. */
  public static final int BLOCK = 512;

  private static final long MAX_OCTAL_SIZE = 077777777777L;
  private static final int NAME_LENGTH = 100;

  private TarWriter() {}

  /** The header of a regular file of {@code size} bytes (mode 0644, mtime 0). */
  public static byte[] fileHeader(String name, long size) {
    return header(name, size, '0', 0644);
  }

  /** The header of a directory, {@code name} ending in a slash. */
  public static byte[] directoryHeader(String name) {
    return header(name, 0, '5', 0755);
  }

  /** The zero bytes that pad a member of {@code size} bytes to a whole block. */
  public static byte[] padding(long size) {
    return new byte[(int) ((BLOCK - size % BLOCK) % BLOCK)];
  }

  /** The two zero blocks that end an archive. */
  public static byte[] end() {
    return new byte[2 * BLOCK];
  }

  /** Header, content and padding of a small member held in memory. */
  public static byte[] smallFile(String name, byte[] content) {
    byte[] header = fileHeader(name, content.length);
    byte[] pad = padding(content.length);
    byte[] all = new byte[header.length + content.length + pad.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(content, 0, all, header.length, content.length);
    return all;
  }

  private static byte[] header(String name, long size, char type, int mode) {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    if (nameBytes.length > NAME_LENGTH) {
      throw new IllegalArgumentException("tar member name longer than 100 bytes: " + name);
    }
    if (size < 0) {
      throw new IllegalArgumentException("negative tar member size: " + size);
    }
    byte[] header = new byte[BLOCK];
    System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
    octal(header, 100, 8, mode);
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    if (size <= MAX_OCTAL_SIZE) {
      octal(header, 124, 12, size);
    } else {
      header[124] = (byte) 0x80;
      for (int i = 0; i < 8; i++) {
        header[135 - i] = (byte) (size >>> (8 * i));
      }
    }
    octal(header, 136, 12, 0);
    header[156] = (byte) type;
    ascii(header, 257, "ustar\0");
    ascii(header, 263, "00");
    for (int i = 148; i < 156; i++) {
      header[i] = ' ';
    }
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    octal(header, 148, 7, sum);
    header[155] = ' ';
    return header;
  }

  /** {@code value} as zero-padded octal digits filling all but the field's last byte (a NUL). */
  private static void octal(byte[] header, int offset, int length, long value) {
    String digits = Long.toOctalString(value);
    String padded = "0".repeat(length - 1 - digits.length()) + digits;
    ascii(header, offset, padded);
    header[offset + length - 1] = 0;
  }

  private static void ascii(byte[] header, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, header, offset, bytes.length);
  }
}
