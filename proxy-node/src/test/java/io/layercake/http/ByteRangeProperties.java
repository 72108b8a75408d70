package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * {@code Range} headers come from clients: whatever the header, the answer is the whole blob, a
 * range inside it, or 416 {@code RANGE_INVALID}; never another exception, and never bytes
 * outside the blob.
 */
class ByteRangeProperties {

  @Property(tries = 3000)
  void parse_anyHeader_isWholeOrInsideOrRangeInvalid(@ForAll("headers") String header,
      @ForAll @LongRange(min = 0, max = 1L << 40) long length) {
    Optional<ByteRange> range;
    try {
      range = ByteRange.parse(header, length);
    } catch (OciException e) {
      assertEquals(ErrorCode.RANGE_INVALID, e.code(), header);
      assertEquals(416, e.code().status());
      return;
    }
    range.ifPresent(r -> {
      assertTrue(r.first() >= 0 && r.first() <= r.last() && r.last() < length, r + " of " + length + " for " + header);
      assertEquals(r.first(), ByteRange.firstOfContentRange(r.contentRange(length)), "Content-Range");
    });
  }

  @Property(tries = 1000)
  void parse_firstLastInside_isExactlyThoseBytes(@ForAll @LongRange(min = 1, max = 1L << 40) long length,
      @ForAll @LongRange(min = 0, max = (1L << 40) - 1) long a, @ForAll @LongRange(min = 0, max = (1L << 40) - 1) long b) {
    long first = Math.min(a, b) % length;
    long last = Math.max(first, Math.max(a, b) % length);

    Optional<ByteRange> range = ByteRange.parse("bytes=" + first + "-" + last, length);

    assertEquals(Optional.of(new ByteRange(first, last)), range);
  }

  @Property(tries = 1000)
  void firstOfContentRange_anyText_isAByteOrMinusOne(@ForAll("headers") String value) {
    long first = ByteRange.firstOfContentRange(value);
    assertTrue(first >= -1, value);
  }

  /** Near-misses of the forms clients send, and anything at all. */
  @Provide
  Arbitrary<String> headers() {
    Arbitrary<String> number = Arbitraries.oneOf(Arbitraries.longs().between(-5, 1L << 41).map(n -> Long.toString(n)),
        Arbitraries.of("", " ", "+1", "01", "9223372036854775807", "9223372036854775808", "1e3", "x"));
    Arbitrary<String> spec = Combinators.combine(number, Arbitraries.of("-", "--", "", " - "), number)
        .as((first, dash, last) -> first + dash + last);
    Arbitrary<String> specs = spec.list().ofMinSize(1).ofMaxSize(3).map(list -> String.join(",", list));
    Arbitrary<String> formed = Combinators.combine(
        Arbitraries.of("bytes=", "Bytes=", "bytes =", " bytes=", "items=", "bytes", "=", "bytes=\t"), specs)
        .as(String::concat);
    return Arbitraries.oneOf(formed, Arbitraries.strings().all().ofMaxLength(80));
  }
}
