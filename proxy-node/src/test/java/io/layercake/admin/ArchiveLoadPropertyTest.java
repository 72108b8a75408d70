package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.archive.HostileArchives;
import io.layercake.archive.HostileArchives.HostileArchive;
import io.layercake.oci.OciException;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Loads of generated hostile archives (HostileArchives: broken layouts, nested and repeated
 * indexes, duplicate names, links pointing anywhere, lying sizes, truncations, floods of JSON)
 * into a real store, within small limits: each either loads or is refused with a 4xx, in bounded
 * time, and leaves nothing behind: no temp file, no space reserved, no memory charged.
 *
 * <p>The store is shared by the tries, so later archives also meet blobs earlier ones committed.
 */
class ArchiveLoadPropertyTest {

  private static final ImageVerbSettings SETTINGS =
      new ImageVerbSettings(Duration.ofSeconds(2), 256 * 1024, 1 << 20, 8, 4);
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static Path dataDir;
  private static NodeDatabase database;
  private static BlobStore store;

  @BeforeContainer
  static void openStore() throws IOException {
    dataDir = Files.createTempDirectory("archive-load-property");
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir), database, Clock.systemUTC());
    store.recover();
  }

  @AfterContainer
  static void closeStore() throws IOException {
    database.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Property(tries = 600)
  void load_hostileArchive_loadsOrRefuses4xxAndLeavesNothing(@ForAll("archives") HostileArchive archive)
      throws IOException {
    LoadMemory memory = new LoadMemory(SETTINGS.maxLoadMemory());
    Path tmpDir = new StorageSettings(dataDir).tmpDir();

    String outcome = assertTimeoutPreemptively(BOUND, () -> {
      try (LoadMemory.Account account = memory.open();
          ArchiveLoad load = new ArchiveLoad(store, tmpDir, SETTINGS, account)) {
        load.read(new ByteArrayInputStream(archive.bytes()), archive.length());
        load.commit(load.plan());
        load.handOverLeases().run();
        return "loaded";
      } catch (OciException e) {
        assertTrue(e.code().status() >= 400 && e.code().status() < 500, e.code() + ": " + e.getMessage());
        return e.code().status() + " " + e.shortMessage();
      }
    });
    // The report shows how the tries ended, so that a generator that only makes garbage is seen.
    Statistics.label("outcome").collect(outcome);

    assertEquals(0, memory.used(), "memory given back");
    assertEquals(0, store.pendingBytes(), "no space left reserved");
    try (Stream<Path> files = Files.list(tmpDir)) {
      assertEquals(List.of(), files.toList(), "no temp file left");
    }
  }

  @Provide
  Arbitrary<HostileArchive> archives() {
    return HostileArchives.archives();
  }
}
