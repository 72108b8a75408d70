package io.layercake.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@code layercake load} reads tars from anyone holding the admin token, and archives are made
 * by many tools: whatever the bytes, reading them either yields members or fails with 400
 * {@code BLOB_UPLOAD_INVALID}, never another exception, an endless loop or a huge allocation; and
 * an archive written by our own writer reads back member for member.
 */
class TarReaderProperties {

  @Property(tries = 300)
  void read_writtenArchive_yieldsEveryMemberAndItsBytes(@ForAll("members") Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> member : members.entrySet()) {
      tar.write(TarWriter.smallFile(member.getKey(), member.getValue()));
    }
    tar.write(TarWriter.end());

    List<String> names = new ArrayList<>();
    TarReader reader = new TarReader(new ByteArrayInputStream(tar.toByteArray()));
    for (Optional<TarEntry> entry = reader.next(); entry.isPresent(); entry = reader.next()) {
      names.add(entry.get().name());
      assertArrayEquals(members.get(entry.get().name()), reader.content().readAllBytes(), entry.get().name());
    }
    assertEquals(List.copyOf(members.keySet()), names);
  }

  @Property(tries = 1000)
  void read_corruptedArchive_yieldsMembersOrBlobUploadInvalid(@ForAll("members") Map<String, byte[]> members,
      @ForAll @Size(max = 8) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> positions,
      @ForAll @Size(max = 8) List<Byte> values, @ForAll @IntRange(min = 0, max = 100) int keepPercent)
      throws IOException {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> member : members.entrySet()) {
      written.write(TarWriter.smallFile(member.getKey(), member.getValue()));
    }
    written.write(TarWriter.end());
    byte[] tar = written.toByteArray();
    // Flip bytes (headers' size, type and name fields most often matter), then maybe cut it short.
    for (int i = 0; i < Math.min(positions.size(), values.size()); i++) {
      tar[positions.get(i) % tar.length] = values.get(i);
    }
    byte[] cut = java.util.Arrays.copyOf(tar, (int) ((long) tar.length * keepPercent / 100));

    readAllOrRejected(cut);
    readAllOrRejected(tar);
  }

  @Property(tries = 3000)
  void read_headerFieldsFuzzedWithValidChecksum_yieldsMembersOrBlobUploadInvalid(
      @ForAll("members") Map<String, byte[]> members, @ForAll @Size(min = 1, max = 12) List<Byte> values,
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 511) Integer> offsets,
      @ForAll("types") char type, @ForAll boolean base256Size) throws IOException {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> member : members.entrySet()) {
      written.write(TarWriter.smallFile(member.getKey(), member.getValue()));
    }
    written.write(TarWriter.end());
    byte[] tar = written.toByteArray();
    // Past the checksum, a header's fields are what a hostile archive controls: the type (PAX,
    // GNU long names), the size (octal or GNU base-256, negative too), names and magic.
    tar[156] = (byte) type;
    if (base256Size) {
      tar[124] = (byte) (0x80 | (values.get(0) & 0x7f));
      if (values.get(0) < 0) {
        tar[124] = (byte) 0xff;
      }
    }
    for (int i = 0; i < Math.min(values.size(), offsets.size()); i++) {
      int offset = offsets.get(i);
      if (offset < 148 || offset >= 156) {
        tar[offset] = values.get(i);
      }
    }
    writeChecksum(tar);

    readAllOrRejected(tar);
  }

  @Provide
  Arbitrary<Character> types() {
    return Arbitraries.of('0', '\0', '5', '1', '2', 'x', 'g', 'L', 'K', 'S', 'Z');
  }

  /** The ustar checksum of the first header: the byte sum with the checksum field as spaces. */
  private static void writeChecksum(byte[] tar) {
    java.util.Arrays.fill(tar, 148, 156, (byte) ' ');
    long sum = 0;
    for (int i = 0; i < 512; i++) {
      sum += tar[i] & 0xff;
    }
    byte[] field = String.format("%06o\0 ", sum).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    System.arraycopy(field, 0, tar, 148, 8);
  }

  @Property(tries = 1000)
  void read_anyBytes_yieldsMembersOrBlobUploadInvalid(@ForAll @Size(max = 3000) byte[] bytes) throws IOException {
    readAllOrRejected(bytes);
  }

  private static void readAllOrRejected(byte[] bytes) throws IOException {
    TarReader reader = new TarReader(new ByteArrayInputStream(bytes));
    try {
      int members = 0;
      for (Optional<TarEntry> entry = reader.next(); entry.isPresent(); entry = reader.next()) {
        assertTrue(entry.get().size() >= 0, "size of " + entry.get());
        try (InputStream content = reader.content()) {
          content.transferTo(OutputStreamNull.INSTANCE);
        }
        assertTrue(++members <= bytes.length / 512, "more members than blocks");
      }
    } catch (OciException e) {
      assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, e.code(), e.getMessage());
      assertEquals(400, e.code().status());
    }
  }

  /** Member names as archives hold them, and small contents. */
  @Provide
  Arbitrary<Map<String, byte[]>> members() {
    Arbitrary<String> name = Arbitraries.strings().withChars("abcxyz0129._-/").ofMinLength(1).ofMaxLength(90)
        .filter(n -> !n.endsWith("/") && !n.startsWith("/") && !n.contains("//") && !n.equals(".")
            && !n.contains("./") && !n.contains("/.") && !n.startsWith("."));
    Arbitrary<byte[]> content = Arbitraries.bytes().array(byte[].class).ofMaxSize(1500);
    return Arbitraries.maps(name, content).ofMaxSize(4).map(java.util.LinkedHashMap::new);
  }

  /** Discards what it is given. */
  private static final class OutputStreamNull extends java.io.OutputStream {
    static final OutputStreamNull INSTANCE = new OutputStreamNull();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
