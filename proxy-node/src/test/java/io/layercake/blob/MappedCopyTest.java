package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies through a short-lived mapping: the right bytes, a clear error, and no mapping left behind. */
class MappedCopyTest {

  private static final int KIB = 1024;

  @TempDir
  Path dir;

  @Test
  void copiesTheRegionAskedForAtAnyOffset() throws IOException {
    assumeTrue(MappedCopy.available());
    byte[] content = randomBytes(3 * 1024 * KIB + 123);
    Path file = write("blob", content);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      // Page-aligned, unaligned, the very end, and a region spanning many pages.
      long[][] regions = {{0, 4096}, {1, 1000}, {4095, 3}, {content.length - 7, 7}, {12345, 2 * 1024 * KIB}};
      for (long[] region : regions) {
        byte[] into = new byte[(int) region[1]];
        MappedCopy.copy(channel, region[0], into);
        assertArrayEquals(Arrays.copyOfRange(content, (int) region[0], (int) (region[0] + region[1])), into,
            "bytes from " + region[0]);
      }
    }
  }

  @Test
  void aRegionPastTheEndIsAnIoErrorNotACrash() throws IOException {
    assumeTrue(MappedCopy.available());
    Path file = write("short", randomBytes(10 * KIB));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      IOException error = assertThrows(IOException.class, () -> MappedCopy.copy(channel, 8 * KIB, new byte[4 * KIB]));
      assertTrue(error.getMessage().contains("end of file"), error.getMessage());
    }
  }

  @Test
  void leavesNoMappingBehind() throws IOException {
    assumeTrue(MappedCopy.available());
    Path maps = Path.of("/proc/self/maps");
    assumeTrue(Files.isReadable(maps), "needs Linux's /proc/self/maps");
    Path file = write("mapped-many-times", randomBytes(1024 * KIB));
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      byte[] into = new byte[256 * KIB];
      for (int i = 0; i < 2000; i++) {
        MappedCopy.copy(channel, (i % 4) * 256L * KIB, into);
      }
      // A mapping left to the garbage collector would still be listed here, counting in the
      // resident set until a collection found it.
      long mapped = Files.readAllLines(maps).stream().filter(line -> line.endsWith(file.toString())).count();
      assertEquals(0, mapped, "mappings of the file still in place");
    }
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(dir.resolve(name), content);
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
