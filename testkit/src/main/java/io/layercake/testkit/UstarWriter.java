package io.layercake.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes a POSIX ustar archive, the format of image layers, entry by entry to a stream, so a layer
 * of any size is produced without holding it in memory. Only what test layers need: regular files
 * and directories, owned by root, with a fixed modification time so the same entries always give
 * the same bytes.
 *
 * <p>Usage: {@link #beginFile}, then exactly {@code size} bytes through {@link #write}, then {@link
 * #endFile}; finally {@link #finish}, which writes the two zero blocks that end an archive.
 */
final class UstarWriter {

  private static final int BLOCK = 512;
  private static final int NAME_LENGTH = 100;
  // the size field holds 11 octal digits
  private static final long MAX_ENTRY_SIZE = (1L << 33) - 1;

  private final OutputStream out;
  private long entryRemaining = -1;
  private long entryWritten;

  UstarWriter(OutputStream out) {
    this.out = out;
  }

  /** Writes a directory entry; {@code name} gets a trailing slash if it has none. */
  void addDirectory(String name) throws IOException {
    requireNoOpenEntry();
    out.write(header(name.endsWith("/") ? name : name + "/", 0, '5', 0755));
  }

  /** Writes a regular file's header; the content follows through {@link #write}. */
  void beginFile(String name, long size) throws IOException {
    requireNoOpenEntry();
    if (size < 0 || size > MAX_ENTRY_SIZE) {
      throw new IllegalArgumentException(
          "ustar file size must be 0.." + MAX_ENTRY_SIZE + ", got " + size);
    }
    out.write(header(name, size, '0', 0644));
    entryRemaining = size;
    entryWritten = 0;
  }

  /** Writes part of the open file's content. */
  void write(byte[] bytes, int offset, int length) throws IOException {
    if (length > entryRemaining) {
      throw new IllegalStateException(
          "write of " + length + " bytes exceeds the entry's remaining " + entryRemaining);
    }
    out.write(bytes, offset, length);
    entryRemaining -= length;
    entryWritten += length;
  }

  /** Closes the open file, padding its content to a whole block. */
  void endFile() throws IOException {
    if (entryRemaining != 0) {
      throw new IllegalStateException("entry still expects " + entryRemaining + " bytes");
    }
    int tail = (int) (entryWritten % BLOCK);
    if (tail != 0) {
      out.write(new byte[BLOCK - tail]);
    }
    entryRemaining = -1;
  }

  /** Writes the end-of-archive marker and flushes; the underlying stream stays open. */
  void finish() throws IOException {
    requireNoOpenEntry();
    out.write(new byte[2 * BLOCK]);
    out.flush();
  }

  private void requireNoOpenEntry() {
    if (entryRemaining >= 0) {
      throw new IllegalStateException("the previous file entry is not ended");
    }
  }

  private static byte[] header(String name, long size, char type, int mode) {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    if (nameBytes.length == 0
        || nameBytes.length > NAME_LENGTH
        || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(
          "tar entry name must be 1-100 printable ASCII characters: " + name);
    }
    byte[] header = new byte[BLOCK];
    System.arraycopy(nameBytes, 0, header, 0, nameBytes.length);
    octal(header, 100, 8, mode);
    octal(header, 108, 8, 0); // uid
    octal(header, 116, 8, 0); // gid
    octal(header, 124, 12, size);
    octal(header, 136, 12, 0); // mtime: the epoch, so archives are reproducible
    header[156] = (byte) type;
    ascii(header, 257, "ustar\0");
    ascii(header, 263, "00");
    ascii(header, 265, "root");
    ascii(header, 297, "root");
    // the checksum is computed with its own field read as eight spaces
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    String checksum = String.format("%06o", sum);
    ascii(header, 148, checksum);
    header[154] = 0;
    header[155] = ' ';
    return header;
  }

  /** Zero-padded octal digits filling the field, then a NUL terminator. */
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
