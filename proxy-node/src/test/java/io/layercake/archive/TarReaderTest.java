package io.layercake.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TarReaderTest {

  @Test
  void next_writerOutput_readsBackEveryMember() throws IOException {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(TarWriter.directoryHeader("blobs/"));
    tar.writeBytes(TarWriter.smallFile("blobs/a", bytes(700)));
    tar.writeBytes(TarWriter.smallFile("index.json", "{}".getBytes(StandardCharsets.UTF_8)));
    tar.writeBytes(TarWriter.end());
    TarReader reader = new TarReader(new ByteArrayInputStream(tar.toByteArray()));

    TarEntry folder = reader.next().orElseThrow();
    assertEquals("blobs/", folder.name());
    assertFalse(folder.isFile());
    TarEntry blob = reader.next().orElseThrow();
    assertEquals("blobs/a", blob.name());
    assertArrayEquals(bytes(700), reader.content().readAllBytes());
    TarEntry index = reader.next().orElseThrow();
    assertEquals(2, index.size());
    // Unread content is skipped.
    assertEquals(Optional.empty(), reader.next());
  }

  @Test
  void next_paxPathAndSize_override() throws IOException {
    String longName = "x/".repeat(80) + "layer.tar";
    String record = "path=" + longName + "\n";
    int length = record.length() + 4;
    byte[] pax = (length + " " + record).getBytes(StandardCharsets.UTF_8);
    byte[] header = TarWriter.fileHeader("PaxHeader", pax.length);
    header[156] = 'x';
    fixChecksum(header);
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(header);
    tar.writeBytes(pax);
    tar.writeBytes(TarWriter.padding(pax.length));
    tar.writeBytes(TarWriter.smallFile("short", bytes(10)));
    tar.writeBytes(TarWriter.end());

    TarEntry entry = new TarReader(new ByteArrayInputStream(tar.toByteArray())).next().orElseThrow();

    assertEquals(longName, entry.name());
    assertEquals(10, entry.size());
  }

  @Test
  void next_paxHeadersPilingUp_refusedPastOneMegabyteForOneMember() {
    // Each header is within the limit; their records add up in one map until the member comes.
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (int i = 0; i < 3; i++) {
      String record = "key" + i + "=" + "v".repeat(400_000) + "\n";
      int length = record.length() + 7;
      byte[] pax = (length + " " + record).getBytes(StandardCharsets.UTF_8);
      byte[] header = TarWriter.fileHeader("PaxHeader", pax.length);
      header[156] = 'x';
      fixChecksum(header);
      tar.writeBytes(header);
      tar.writeBytes(pax);
      tar.writeBytes(TarWriter.padding(pax.length));
    }
    tar.writeBytes(TarWriter.smallFile("short", bytes(10)));

    OciException error = assertThrows(OciException.class,
        () -> new TarReader(new ByteArrayInputStream(tar.toByteArray())).next());

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("extended headers"), error.getMessage());
  }

  @Test
  void fileHeader_beyondOctal_usesBase256ThatReadsBack() throws IOException {
    long size = 10L * 1024 * 1024 * 1024;
    byte[] header = TarWriter.fileHeader("big", size);

    TarEntry entry = new TarReader(new ByteArrayInputStream(header)).next().orElseThrow();

    assertEquals(size, entry.size());
  }

  @Test
  void next_notATar_throwsBlobUploadInvalid() {
    byte[] text = "hello world, this is not a tar\n".repeat(40).getBytes(StandardCharsets.UTF_8);

    OciException error = assertThrows(OciException.class,
        () -> new TarReader(new ByteArrayInputStream(text)).next());

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("not a tar archive"), error.getMessage());
  }

  @Test
  void content_truncatedMember_throws() throws IOException {
    byte[] member = TarWriter.smallFile("a", bytes(2000));
    TarReader reader = new TarReader(new ByteArrayInputStream(Arrays.copyOf(member, 1000)));
    reader.next();
    InputStream content = reader.content();

    OciException error = assertThrows(OciException.class, content::readAllBytes);

    assertTrue(error.getMessage().contains("truncated"), error.getMessage());
  }

  @Test
  void next_truncatedHeader_throws() {
    byte[] header = Arrays.copyOf(TarWriter.fileHeader("a", 1), 300);

    assertThrows(OciException.class, () -> new TarReader(new ByteArrayInputStream(header)).next());
  }

  @Test
  void next_negativeSize_throwsBlobUploadInvalid() {
    byte[] header = TarWriter.fileHeader("a", 1);
    byte[] size = "-0000000001\0".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(size, 0, header, 124, size.length);
    fixChecksum(header);

    OciException error = assertThrows(OciException.class, () -> new TarReader(new ByteArrayInputStream(header)).next());

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
  }

  @Test
  void next_endWithoutZeroBlocks_isTheEnd() throws IOException {
    TarReader reader = new TarReader(new ByteArrayInputStream(TarWriter.smallFile("a", bytes(5))));

    reader.next();

    assertEquals(Optional.empty(), reader.next());
  }

  private static byte[] bytes(int count) {
    byte[] bytes = new byte[count];
    for (int i = 0; i < count; i++) {
      bytes[i] = (byte) (i * 31);
    }
    return bytes;
  }

  private static void fixChecksum(byte[] header) {
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    byte[] digits = String.format("%06o", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, header, 148, 6);
    header[154] = 0;
  }
}
