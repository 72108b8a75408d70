package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteRangeTest {

  private static final long LENGTH = 1000;
  private static final String HUGE = "99999999999999999999999999999999";

  @Test
  void parse_firstToLast() {
    assertEquals(range(0, 499), ByteRange.parse("bytes=0-499", LENGTH));
    assertEquals(range(500, 999), ByteRange.parse("bytes=500-999", LENGTH));
  }

  @Test
  void parse_singleByte() {
    assertEquals(range(0, 0), ByteRange.parse("bytes=0-0", LENGTH));
    assertEquals(range(999, 999), ByteRange.parse("bytes=999-999", LENGTH));
  }

  @Test
  void parse_openEnded() {
    assertEquals(range(100, 999), ByteRange.parse("bytes=100-", LENGTH));
    assertEquals(range(0, 999), ByteRange.parse("bytes=0-", LENGTH));
    assertEquals(range(999, 999), ByteRange.parse("bytes=999-", LENGTH));
  }

  @Test
  void parse_suffix() {
    assertEquals(range(900, 999), ByteRange.parse("bytes=-100", LENGTH));
    assertEquals(range(999, 999), ByteRange.parse("bytes=-1", LENGTH));
  }

  @Test
  void parse_suffixLongerThanBlob() {
    assertEquals(range(0, 999), ByteRange.parse("bytes=-5000", LENGTH));
    assertEquals(range(0, 999), ByteRange.parse("bytes=-1000", LENGTH));
  }

  @Test
  void parse_lastPastEndIsClamped() {
    assertEquals(range(500, 999), ByteRange.parse("bytes=500-1000", LENGTH));
    assertEquals(range(500, 999), ByteRange.parse("bytes=500-123456789", LENGTH));
  }

  @Test
  void parse_lastBeyondLongIsClamped() {
    assertEquals(range(0, 999), ByteRange.parse("bytes=0-" + HUGE, LENGTH));
    assertEquals(range(0, 999), ByteRange.parse("bytes=0-9223372036854775808", LENGTH));
  }

  @Test
  void parse_lastAtLongMax() {
    assertEquals(range(1, 999), ByteRange.parse("bytes=1-9223372036854775807", LENGTH));
  }

  @Test
  void parse_suffixBeyondLongIsWholeBlob() {
    assertEquals(range(0, 999), ByteRange.parse("bytes=-" + HUGE, LENGTH));
  }

  @Test
  void parse_firstBeyondLong() {
    assertUnsatisfiable("bytes=" + HUGE + "-");
    assertUnsatisfiable("bytes=" + HUGE + "-" + HUGE + "9");
  }

  /** Both numbers exceed a long; comparing saturated values would wrongly call them equal. */
  @Test
  void parse_firstAboveLastBeyondLong() {
    assertMalformed("bytes=" + HUGE + "9-" + HUGE);
  }

  @Test
  void parse_leadingZeros() {
    assertEquals(range(5, 10), ByteRange.parse("bytes=0005-00010", LENGTH));
    assertEquals(range(995, 999), ByteRange.parse("bytes=-0005", LENGTH));
    assertEquals(range(0, 999), ByteRange.parse("bytes=0-" + "0".repeat(40) + "5000", LENGTH));
  }

  @Test
  void parse_manyLeadingZerosOnFirst() {
    assertEquals(range(10, 20), ByteRange.parse("bytes=" + "0".repeat(100) + "10-20", LENGTH));
  }

  @Test
  void parse_unitIsCaseInsensitive() {
    assertEquals(range(0, 9), ByteRange.parse("Bytes=0-9", LENGTH));
    assertEquals(range(0, 9), ByteRange.parse("BYTES=0-9", LENGTH));
  }

  @Test
  void parse_optionalWhitespaceAroundHeaderAndElements() {
    assertEquals(range(0, 9), ByteRange.parse(" bytes=0-9 ", LENGTH));
    assertEquals(range(0, 9), ByteRange.parse("bytes= 0-9", LENGTH));
    assertEquals(range(0, 9), ByteRange.parse("bytes=0-9\t", LENGTH));
  }

  @Test
  void parse_emptyListElementsAreSkipped() {
    assertEquals(range(0, 9), ByteRange.parse("bytes=0-9,", LENGTH));
    assertEquals(range(0, 9), ByteRange.parse("bytes=,0-9", LENGTH));
    assertEquals(range(0, 9), ByteRange.parse("bytes=, ,0-9, ,", LENGTH));
  }

  @ParameterizedTest
  @NullAndEmptySource
  void parse_noHeader(String header) {
    assertEquals(Optional.empty(), ByteRange.parse(header, LENGTH));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      " ", "bytes", "bytes=", "bytes= ", "bytes=,", "bytes=,,,", "=0-9", "bytes=-", "bytes=--",
      "bytes=0", "bytes=abc", "bytes=a-b", "bytes=0-b", "bytes=a-9", "bytes=0x10-0x20",
      "bytes=1e3-2e3", "bytes=1.5-2", "bytes=+1-2", "bytes=1-+2", "bytes=-+5", "bytes=--5",
      "bytes=-5-10", "bytes=0--9", "bytes=-1-", "bytes 0-9", "bytes:0-9", "bytes==0-9",
      "bytes=0-9;x", "bytes=0-9=", "0-9", "bytes=\"0-9\""})
  void parse_syntaxErrors_neverGiveARange(String header) {
    assertNoRange(header);
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=5-2", "bytes=1-0", "bytes=999-998", "bytes=1000-999"})
  void parse_lastBeforeFirst_isMalformed(String header) {
    assertMalformed(header);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "bytes = 0-9", "bytes =0-9", "bytes= 0 -9", "bytes=0 - 9", "bytes=0- 9", "b ytes=0-9",
      "bytes=0\u00a0-9", "bytes=\u20030-9", "bytes\u3000=0-9"})
  void parse_spacesInside_neverGiveARange(String header) {
    assertNoRange(header);
  }

  @ParameterizedTest
  @ValueSource(strings = {"items=0-9", "none", "none=0-9", "bits=0-9", "byte=0-9", "bytess=0-9",
      "octets=0-9", "*=0-9", "bytes0-9"})
  void parse_otherUnitsAreIgnored(String header) {
    assertEquals(Optional.empty(), ByteRange.parse(header, LENGTH), header);
  }

  @Test
  void parse_unicodeLookalikes_neverGiveARange() {
    // A long s (U+017F) upper-cases to S, which equalsIgnoreCase alone would accept.
    assertNoRange("byte\u017f=0-9");
    // Fullwidth and Arabic-Indic digits are digits to Character.isDigit and Long.parseLong.
    assertNoRange("bytes=\uff10-\uff19");
    assertNoRange("bytes=\u0660-\u0669");
    // A Unicode minus and hyphen are not the range separator.
    assertNoRange("bytes=0\u22129");
    assertNoRange("bytes=0\u20109");
    // A fullwidth equals sign.
    assertNoRange("bytes\uff1d0-9");
  }

  @Test
  void parse_controlCharacters_neverGiveARange() {
    assertNoRange("bytes=0-9\0");
    assertNoRange("\0bytes=0-9");
    assertNoRange("bytes=0\n-9");
    assertNoRange("bytes=0-9\r\n");
    assertNoRange("bytes=0-9\u000b");
  }

  @Test
  void parse_invalidElement_isMalformed() {
    assertMalformed("bytes=0-9,x");
    assertMalformed("bytes=0-9,5-2");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=", "bytes=abc", "bytes=--5", "bytes=1-2-3", "bytes=5-2", "bytes==0-9",
      "bytes=-", "bytes=0-9;x"})
  void parse_malformedBytesRange_isRangeInvalid(String header) {
    assertMalformed(header);
  }

  /** Garbage may be ignored (another unit) or refused (a broken bytes range), never served. */
  private static void assertNoRange(String header) {
    try {
      assertEquals(Optional.empty(), ByteRange.parse(header, LENGTH), header);
    } catch (OciException e) {
      assertEquals(ErrorCode.RANGE_INVALID, e.code(), header);
    }
  }

  private static void assertMalformed(String header) {
    OciException e = assertThrows(OciException.class, () -> ByteRange.parse(header, LENGTH), header);
    assertEquals(ErrorCode.RANGE_INVALID, e.code());
  }

  @Test
  void parse_firstAtEnd() {
    OciException error = assertUnsatisfiable("bytes=1000-");

    assertTrue(error.detail().orElseThrow().contains("1000 bytes"), error.detail().orElseThrow());
  }

  @Test
  void parse_firstPastEnd() {
    assertUnsatisfiable("bytes=1001-2000");
    assertUnsatisfiable("bytes=5000-");
    assertUnsatisfiable("bytes=9223372036854775807-");
  }

  @Test
  void parse_zeroLengthSuffix() {
    assertUnsatisfiable("bytes=-0");
    assertUnsatisfiable("bytes=-000");
  }

  @Test
  void parse_multipleRanges() {
    OciException error = assertUnsatisfiable("bytes=0-9,20-29");

    assertEquals("only a single range is supported", error.detail().orElseThrow());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bytes=0-0,-1", "bytes=0-9, 0-9", "bytes=-5,-5", "bytes=0-,5000-",
      "bytes=0-1,2-3,4-5,6-7"})
  void parse_multipleRangesAnyForm(String header) {
    assertUnsatisfiable(header);
  }

  @Test
  void parse_manyRanges() {
    assertUnsatisfiable("bytes=" + "0-1,".repeat(10_000) + "0-1");
  }

  @Test
  void parse_emptyBlobFirstPosition() {
    assertThrows(OciException.class, () -> ByteRange.parse("bytes=0-", 0));
    assertThrows(OciException.class, () -> ByteRange.parse("bytes=0-0", 0));
  }

  /** Satisfiable by the RFC, but it selects no byte: the whole (empty) blob goes out with 200. */
  @Test
  void parse_emptyBlobSuffix() {
    assertEquals(Optional.empty(), ByteRange.parse("bytes=-1", 0));
  }

  @Test
  void parse_emptyBlobZeroSuffix() {
    assertThrows(OciException.class, () -> ByteRange.parse("bytes=-0", 0));
  }

  @Test
  void parse_oneByteBlob() {
    assertEquals(range(0, 0), ByteRange.parse("bytes=0-", 1));
    assertEquals(range(0, 0), ByteRange.parse("bytes=-7", 1));
    assertEquals(range(0, 0), ByteRange.parse("bytes=0-7", 1));
    assertThrows(OciException.class, () -> ByteRange.parse("bytes=1-", 1));
  }

  @Test
  void parse_hugeBlob() {
    long length = Long.MAX_VALUE;

    assertEquals(range(0, Long.MAX_VALUE - 1), ByteRange.parse("bytes=0-", length));
    assertEquals(
        range(Long.MAX_VALUE - 10, Long.MAX_VALUE - 1), ByteRange.parse("bytes=-10", length));
    assertEquals(range(0, Long.MAX_VALUE - 1), ByteRange.parse("bytes=-" + HUGE, length));
    assertEquals(Long.MAX_VALUE, ByteRange.parse("bytes=0-", length).orElseThrow().length());
  }

  @Test
  void parse_negativeLength() {
    assertThrows(IllegalArgumentException.class, () -> ByteRange.parse("bytes=0-1", -1));
    assertThrows(IllegalArgumentException.class, () -> ByteRange.parse(null, -1));
  }

  @Test
  void length_inclusiveOfBothEnds() {
    assertEquals(1, new ByteRange(5, 5).length());
    assertEquals(500, new ByteRange(0, 499).length());
  }

  @Test
  void contentRange_partial() {
    assertEquals("bytes 0-499/1000", new ByteRange(0, 499).contentRange(1000));
    assertEquals("bytes 999-999/1000", new ByteRange(999, 999).contentRange(1000));
  }

  @Test
  void contentRange_rangeOutsideTotal() {
    assertThrows(IllegalArgumentException.class, () -> new ByteRange(0, 1000).contentRange(1000));
  }

  @Test
  void contentRange_ofParsedRange() {
    String header = ByteRange.parse("bytes=-100", LENGTH).orElseThrow().contentRange(LENGTH);

    assertEquals("bytes 900-999/1000", header);
  }

  @Test
  void unsatisfiedContentRange_namesTotal() {
    assertEquals("bytes */1000", ByteRange.unsatisfiedContentRange(1000));
    assertEquals("bytes */0", ByteRange.unsatisfiedContentRange(0));
  }

  @Test
  void constructor_invalid() {
    assertThrows(IllegalArgumentException.class, () -> new ByteRange(-1, 5));
    assertThrows(IllegalArgumentException.class, () -> new ByteRange(5, 4));
    assertThrows(IllegalArgumentException.class, () -> new ByteRange(0, Long.MAX_VALUE));
  }

  private static Optional<ByteRange> range(long first, long last) {
    return Optional.of(new ByteRange(first, last));
  }

  private static OciException assertUnsatisfiable(String header) {
    OciException error =
        assertThrows(OciException.class, () -> ByteRange.parse(header, LENGTH), header);
    assertEquals(ErrorCode.RANGE_INVALID, error.code());
    assertEquals(416, error.code().status());
    return error;
  }
}
