package io.layercake.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.layercake.testkit.FakeRegistry;
import io.layercake.testkit.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10, finding 7: RocksDB's 15 MB native library is unpacked into the data folder under one
 * name, not into /tmp under a new name per start, where every kill -9 left one behind.
 */
class RocksNativeLibraryIntegrationTest {

  @TempDir Path work;

  @Test
  void start_killAndStartAgain_oneLibraryInTheDataFolder_noneInTmp() throws Exception {
    Path data = work.resolve("data");
    Path tmp = Files.createDirectories(work.resolve("tmp"));
    try (FakeRegistry upstream = FakeRegistry.start()) {
      for (int start = 0; start < 2; start++) {
        NodeProcess node = NodeProcess.start(data, upstream.url(), "-Xmx256m", "-Djava.io.tmpdir=" + tmp);
        assertEquals(1, libraries(data.resolve("lib")).size(), "start " + start + ": " + libraries(data.resolve("lib")));
        node.kill();
      }
      assertEquals(List.of(), libraries(tmp), "unpacked into java.io.tmpdir");
    }
  }

  private static List<Path> libraries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(file -> file.getFileName().toString().contains("rocksdbjni")).toList();
    }
  }
}
