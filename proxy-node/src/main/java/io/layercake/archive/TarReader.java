package io.layercake.archive;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/*
 * Implementation notes
 *
 * Formats: ustar headers (with the 155-byte prefix), GNU long names ('L', 'K') and base-256 sizes,
 * and PAX extended headers ('x': path, linkpath, size; 'g' is read and ignored). That covers what
 * Go's archive/tar (docker save), GNU tar and bsdtar write.
 *
 * Strictness: every header's checksum is checked, so a file that is not a tar fails on its first
 * block rather than being read as garbage. End of input inside a header or a member is "truncated";
 * end of input at a member boundary is accepted as the end even without the two zero blocks, since
 * some writers leave them out (a member cut off at a boundary shows up as a missing blob later).
 */

/**
 * Reads a tar archive from a stream, member by member, without buffering member content: the
 * caller reads each member's bytes from {@link #content()} (what it leaves unread is skipped).
 */
public final class TarReader {

  private static final int BLOCK = 512;
  private static final int MAX_EXTENSION_SIZE = 1 << 20;

  private static final byte[] ZERO_BLOCK = new byte[BLOCK];

  private final InputStream in;
  /** How many bytes of the archive were read so far. */
  private long position;
  private long remaining;
  private long padding;

  /** A reader over {@code in}; the caller closes {@code in}. */
  public TarReader(InputStream in) {
    this.in = in;
  }

  /** How many bytes of the archive were taken so far, headers and padding included. */
  public long position() {
    return position;
  }

  /**
   * The next member, or empty at the end of the archive.
   *
   * @throws OciException with {@link ErrorCode#BLOB_UPLOAD_INVALID} if the bytes are not a tar
   *     archive or end too early
   */
  public Optional<TarEntry> next() throws IOException {
    skip(remaining + padding);
    remaining = 0;
    padding = 0;
    Map<String, String> pax = new HashMap<>();
    String longName = null;
    String longLink = null;
    // Extension headers add up until the member they describe: bound their sum, not each one.
    long extensionBytes = 0;
    while (true) {
      byte[] header = new byte[BLOCK];
      int read = readFully(header);
      if (read == 0 || (read == BLOCK && Arrays.equals(header, ZERO_BLOCK))) {
        return Optional.empty();
      }
      if (read < BLOCK) {
        throw invalid("tar archive truncated", "the input ends inside a header");
      }
      checkChecksum(header);
      char type = (char) header[156];
      long size = number(header, 124, 12);
      if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
        extensionBytes += Math.min(size, MAX_EXTENSION_SIZE + 1L);
        if (extensionBytes > MAX_EXTENSION_SIZE) {
          throw invalid("tar archive invalid", "extended headers of more than " + MAX_EXTENSION_SIZE
              + " bytes for one member");
        }
        byte[] data = new byte[(int) size];
        if (readFully(data) < size) {
          throw invalid("tar archive truncated", "the input ends inside an extended header");
        }
        skip(paddingOf(size));
        if (type == 'x') {
          pax.putAll(parsePax(data));
        } else if (type == 'L') {
          longName = cString(data, 0, data.length);
        } else if (type == 'K') {
          longLink = cString(data, 0, data.length);
        }
        continue;
      }
      String name = cString(header, 0, 100);
      String magic = cString(header, 257, 6);
      if (magic.equals("ustar")) {
        String prefix = cString(header, 345, 155);
        if (!prefix.isEmpty()) {
          name = prefix + "/" + name;
        }
      }
      String link = cString(header, 157, 100);
      name = pax.getOrDefault("path", longName != null ? longName : name);
      link = pax.getOrDefault("linkpath", longLink != null ? longLink : link);
      if (pax.containsKey("size")) {
        try {
          size = Long.parseLong(pax.get("size"));
          if (size < 0) {
            throw new NumberFormatException("negative");
          }
        } catch (NumberFormatException e) {
          throw invalid("tar archive invalid", "PAX size " + pax.get("size"));
        }
      }
      TarEntry entry = new TarEntry(normalise(name), size, type, link);
      remaining = entry.isFile() ? size : 0;
      padding = entry.isFile() ? paddingOf(size) : 0;
      return Optional.of(entry);
    }
  }

  /** The current member's content; reading past it returns end of stream. */
  public InputStream content() {
    return new InputStream() {
      @Override
      public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        if (remaining == 0) {
          return -1;
        }
        int n = in.read(buffer, offset, (int) Math.min(length, remaining));
        if (n < 0) {
          throw invalid("tar archive truncated", "the input ends inside a member");
        }
        remaining -= n;
        position += n;
        return n;
      }
    };
  }

  private void skip(long count) throws IOException {
    byte[] buffer = new byte[8192];
    long left = count;
    while (left > 0) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
      if (n < 0) {
        throw invalid("tar archive truncated", "the input ends inside a member");
      }
      left -= n;
      position += n;
    }
  }

  private int readFully(byte[] buffer) throws IOException {
    int n = in.readNBytes(buffer, 0, buffer.length);
    position += n;
    return n;
  }

  private static void checkChecksum(byte[] header) {
    long expected;
    try {
      expected = number(header, 148, 8);
    } catch (OciException e) {
      throw invalid("not a tar archive", "the first bytes are not a tar header");
    }
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : header[i] & 0xff;
    }
    if (sum != expected) {
      throw invalid("not a tar archive", "a header's checksum does not match");
    }
  }

  /** An octal field, or GNU base-256 when the top bit of the first byte is set. */
  private static long number(byte[] header, int offset, int length) {
    if ((header[offset] & 0x80) != 0) {
      long value = header[offset] & 0x7f;
      for (int i = 1; i < length; i++) {
        if (value > (Long.MAX_VALUE >> 8)) {
          throw invalid("tar archive invalid", "number field too large");
        }
        value = (value << 8) | (header[offset + i] & 0xff);
      }
      return value;
    }
    String text = cString(header, offset, length).trim();
    if (text.isEmpty()) {
      return 0;
    }
    long value;
    try {
      value = Long.parseLong(text, 8);
    } catch (NumberFormatException e) {
      throw invalid("not a tar archive", "a header field is not an octal number");
    }
    if (value < 0) {
      // parseLong takes a sign that tar's octal fields never have; a negative size would fail later.
      throw invalid("not a tar archive", "a header field is negative");
    }
    return value;
  }

  /** PAX records: {@code "<length> <key>=<value>\n"}, where the length counts bytes. */
  private static Map<String, String> parsePax(byte[] data) {
    Map<String, String> records = new HashMap<>();
    int position = 0;
    while (position < data.length) {
      int space = position;
      while (space < data.length && data[space] != ' ') {
        space++;
      }
      int length;
      try {
        length = Integer.parseInt(new String(data, position, space - position, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        throw invalid("tar archive invalid", "malformed PAX record");
      }
      if (length <= space - position + 1 || position + length > data.length || data[position + length - 1] != '\n') {
        throw invalid("tar archive invalid", "malformed PAX record");
      }
      String record = new String(data, space + 1, position + length - 1 - (space + 1), StandardCharsets.UTF_8);
      int equals = record.indexOf('=');
      if (equals < 0) {
        throw invalid("tar archive invalid", "malformed PAX record");
      }
      records.put(record.substring(0, equals), record.substring(equals + 1));
      position += length;
    }
    return records;
  }

  private static String cString(byte[] bytes, int offset, int length) {
    int end = offset;
    while (end < offset + length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
  }

  private static String normalise(String name) {
    String normal = name;
    while (normal.startsWith("./")) {
      normal = normal.substring(2);
    }
    return normal;
  }

  private static long paddingOf(long size) {
    return (BLOCK - size % BLOCK) % BLOCK;
  }

  private static OciException invalid(String message, String detail) {
    return new OciException(ErrorCode.BLOB_UPLOAD_INVALID, message, detail);
  }
}
