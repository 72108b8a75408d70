package io.layercake.http;

import io.layercake.HeaderText;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One satisfiable byte range of a blob, {@code first} to {@code last} inclusive, as parsed from a
 * {@code Range} request header (RFC 9110 §14).
 *
 * <p>What {@link #parse} answers, and why:
 *
 * <ul>
 *   <li><b>No header, or another unit</b>: empty, so the caller sends 200 with the whole blob
 *       (RFC 9110 §14.2: a server MUST ignore a range unit it does not understand).
 *   <li><b>A malformed {@code bytes} range</b> (bad syntax, a range whose last position is
 *       before its first, numbers with signs or spaces, an empty list): 416 RANGE_INVALID. The
 *       RFC lets a server ignore it, but a client that asked for part of a layer and got all of
 *       it would silently corrupt a resumed download; a clear error is safer.
 *   <li><b>A well-formed but unsatisfiable range</b> (first position at or past the end, or a
 *       suffix of zero bytes): {@link OciException} with {@link ErrorCode#RANGE_INVALID} (416),
 *       to which the caller adds {@link #unsatisfiedContentRange(long)}.
 *   <li><b>Several ranges</b>: 416 RANGE_INVALID, "only a single range is supported". Blob
 *       clients (containerd and dockerd resuming an interrupted layer) ask for one range; a
 *       {@code multipart/byteranges} answer would cost complexity for no client, and silently
 *       sending 200 would let a client that really needed pieces download the whole layer.
 *   <li><b>A suffix range of an empty blob</b>: empty (send the whole, empty, blob with 200). The
 *       RFC counts it satisfiable but the selected range holds no byte, which {@code
 *       Content-Range} cannot express.
 * </ul>
 *
 * <p>Positions longer than a {@code long} are not an error: a last position past the end is
 * clamped to the end as the RFC requires, and a first position that large is past any end, so
 * numbers are compared exactly as decimal strings and saturate at {@link Long#MAX_VALUE}.
 *
 * @param first the position of the first byte sent, from 0
 * @param last the position of the last byte sent, inclusive
 */
public record ByteRange(long first, long last) {

  private static final String UNIT = "bytes";

  /**
   * Validates that the range is non-empty, starts at a non-negative position, and ends before
   * {@link Long#MAX_VALUE}, so that {@link #length()} cannot overflow.
   */
  public ByteRange {
    if (first < 0 || last < first || last == Long.MAX_VALUE) {
      throw new IllegalArgumentException("invalid byte range " + first + "-" + last);
    }
  }

  private static OciException malformed(String header) {
    String shown = header.length() > 64 ? header.substring(0, 64) + "..." : header;
    return new OciException(ErrorCode.RANGE_INVALID, "malformed byte range",
        "expected bytes=first-last, bytes=first- or bytes=-suffix, got " + shown.replaceAll("[^\\x20-\\x7e]", "?"));
  }

  /**
   * Parses a {@code Range} header value against a representation of {@code length} bytes.
   *
   * @param header the header value, or null when the request has none
   * @param length the size of the blob in bytes, at least 0
   * @return the range to send with 206, or empty to send the whole blob with 200
   * @throws OciException with {@link ErrorCode#RANGE_INVALID} for a well-formed range that cannot
   *     be satisfied, or for more than one range
   */
  public static Optional<ByteRange> parse(String header, long length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    if (header == null) {
      return Optional.empty();
    }
    String value = HeaderText.trimOptionalWhitespace(header);
    int equals = value.indexOf('=');
    if (equals < 0 || !isBytesUnit(value.substring(0, equals))) {
      return Optional.empty();
    }
    List<RangeSpec> specs = new ArrayList<>();
    for (String element : value.substring(equals + 1).split(",", -1)) {
      // A list allows optional whitespace around elements and empty elements (RFC 9110 §5.6.1).
      String trimmed = HeaderText.trimOptionalWhitespace(element);
      if (trimmed.isEmpty()) {
        continue;
      }
      Optional<RangeSpec> spec = RangeSpec.parse(trimmed);
      if (spec.isEmpty()) {
        throw malformed(header);
      }
      specs.add(spec.get());
    }
    if (specs.isEmpty()) {
      throw malformed(header);
    }
    if (specs.size() > 1) {
      throw new OciException(ErrorCode.RANGE_INVALID, "only a single range is supported");
    }
    return specs.get(0).resolve(length);
  }

  /** The number of bytes in the range. */
  public long length() {
    return last - first + 1;
  }

  /**
   * The {@code Content-Range} value of a 206 answer, {@code bytes first-last/total}.
   *
   * @param total the size of the whole blob, which must contain this range
   */
  public String contentRange(long total) {
    if (last >= total) {
      throw new IllegalArgumentException(
          "range " + first + "-" + last + " does not fit in " + total + " bytes");
    }
    return UNIT + " " + first + "-" + last + "/" + total;
  }

  /**
   * The first byte of a {@code Content-Range} value {@code bytes first-last/total} (another
   * node's 206), or -1 if it is not one.
   */
  static long firstOfContentRange(String value) {
    String prefix = UNIT + " ";
    int dash = value.indexOf('-');
    if (!value.startsWith(prefix) || dash < 0) {
      return -1;
    }
    try {
      return Long.parseLong(value.substring(prefix.length(), dash));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The {@code Content-Range} value of a 416 answer, {@code bytes *}{@code /total}. */
  public static String unsatisfiedContentRange(long total) {
    return UNIT + " */" + total;
  }

  /**
   * Range units are case-insensitive (RFC 9110 §14.1), but only in ASCII: {@link
   * String#equalsIgnoreCase} alone would take a long s (U+017F) for an {@code s}.
   */
  private static boolean isBytesUnit(String unit) {
    return unit.length() == UNIT.length()
        && unit.chars().allMatch(c -> c < 0x80)
        && unit.equalsIgnoreCase(UNIT);
  }

  /**
   * One range-spec as written: an int-range {@code first-[last]} or a suffix-range
   * {@code -suffix}, with positions kept as digit strings so that huge numbers compare exactly.
   */
  private record RangeSpec(String firstDigits, String lastDigits) {

    static Optional<RangeSpec> parse(String text) {
      int dash = text.indexOf('-');
      if (dash < 0) {
        return Optional.empty();
      }
      String firstDigits = text.substring(0, dash);
      String lastDigits = text.substring(dash + 1);
      boolean suffix = firstDigits.isEmpty();
      if (suffix ? !isDigits(lastDigits) : !isDigits(firstDigits)) {
        return Optional.empty();
      }
      if (!suffix && !lastDigits.isEmpty()) {
        // RFC 9110 §14.1.1: a last position below the first makes the range-spec invalid.
        if (!isDigits(lastDigits) || compareDecimal(firstDigits, lastDigits) > 0) {
          return Optional.empty();
        }
      }
      return Optional.of(new RangeSpec(firstDigits, lastDigits));
    }

    Optional<ByteRange> resolve(long length) {
      if (firstDigits.isEmpty()) {
        long suffixLength = saturatedLong(lastDigits);
        if (suffixLength == 0) {
          throw new OciException(ErrorCode.RANGE_INVALID, "a suffix range of 0 bytes selects nothing");
        }
        if (length == 0) {
          return Optional.empty();
        }
        return Optional.of(new ByteRange(length - Math.min(suffixLength, length), length - 1));
      }
      long firstPosition = saturatedLong(firstDigits);
      if (firstPosition >= length) {
        throw new OciException(
            ErrorCode.RANGE_INVALID,
            "the range starts at or after the end of the blob, which has " + length + " bytes");
      }
      long lastPosition = lastDigits.isEmpty() ? length - 1 : saturatedLong(lastDigits);
      return Optional.of(new ByteRange(firstPosition, Math.min(lastPosition, length - 1)));
    }

    /** Only ASCII digits: {@link Long#parseLong} would also take a sign and other scripts' digits. */
    private static boolean isDigits(String text) {
      return !text.isEmpty() && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static long saturatedLong(String digits) {
      String significant = stripLeadingZeros(digits);
      if (significant.length() > 19) {
        return Long.MAX_VALUE;
      }
      try {
        return Long.parseLong(significant);
      } catch (NumberFormatException tooLarge) {
        return Long.MAX_VALUE;
      }
    }

    private static int compareDecimal(String a, String b) {
      String left = stripLeadingZeros(a);
      String right = stripLeadingZeros(b);
      if (left.length() != right.length()) {
        return Integer.compare(left.length(), right.length());
      }
      return left.compareTo(right);
    }

    private static String stripLeadingZeros(String digits) {
      int start = 0;
      while (start < digits.length() - 1 && digits.charAt(start) == '0') {
        start++;
      }
      return digits.substring(start);
    }
  }
}
