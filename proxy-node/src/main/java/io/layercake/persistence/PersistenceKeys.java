package io.layercake.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Byte keys shared by the journal and the snapshot store: a persistence id prefix followed by
 * fixed-width big-endian numbers, so that RocksDB's bytewise order is numeric order within one id.
 */
final class PersistenceKeys {

  /** Ends the persistence id; an id may not contain it, so no id's keys start with another's prefix. */
  private static final byte SEPARATOR = 0x00;

  private PersistenceKeys() {}

  /**
   * The prefix of every key of {@code persistenceId}: its UTF-8 bytes, then the separator.
   *
   * @throws IllegalArgumentException if the id contains U+0000, which would make prefixes ambiguous
   */
  static byte[] prefix(String persistenceId) {
    if (persistenceId.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "Persistence id must not contain U+0000: " + persistenceId.replace('\0', '?'));
    }
    byte[] id = persistenceId.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = Arrays.copyOf(id, id.length + 1);
    prefix[id.length] = SEPARATOR;
    return prefix;
  }

  /** The smallest key greater than every key that starts with {@code prefix}. */
  static byte[] prefixEnd(byte[] prefix) {
    byte[] end = prefix.clone();
    end[end.length - 1] = SEPARATOR + 1;
    return end;
  }

  /** {@code prefix} followed by each number as 8 big-endian bytes; numbers must not be negative. */
  static byte[] key(byte[] prefix, long... numbers) {
    ByteBuffer key = ByteBuffer.allocate(prefix.length + Long.BYTES * numbers.length);
    key.put(prefix);
    for (long number : numbers) {
      key.putLong(number);
    }
    return key.array();
  }

  /** The big-endian number at {@code offset} of {@code key}. */
  static long longAt(byte[] key, int offset) {
    return ByteBuffer.wrap(key, offset, Long.BYTES).getLong();
  }

  /** {@code number} as 8 big-endian bytes. */
  static byte[] longBytes(long number) {
    return ByteBuffer.allocate(Long.BYTES).putLong(number).array();
  }
}
