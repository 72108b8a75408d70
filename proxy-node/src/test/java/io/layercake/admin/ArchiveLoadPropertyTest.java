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
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Loads of generated hostile archives (HostileArchives: broken layouts, nested and repeated
 * indexes, duplicate names, links pointing anywhere, lying sizes, truncations, floods of JSON)
 * into a real store, within small limits: each either loads or is refused with a 4xx, in bounded
 * time, and leaves nothing behind: no temp file, no space reserved, no memory charged.
 *
 * <p>The store is shared by the tries, so later archives also meet blobs earlier ones committed.
 * Each try draws its archive from a seeded {@link Random}, so a failure names the seed that
 * reproduces it.
 */
class ArchiveLoadPropertyTest {

  private static final int TRIES = 600;

  private static final ImageVerbSettings SETTINGS =
      new ImageVerbSettings(Duration.ofSeconds(2), 256 * 1024, 1 << 20, 8, 4);
  private static final Duration BOUND = Duration.ofSeconds(10);

  private static Path dataDir;
  private static NodeDatabase database;
  private static BlobStore store;

  @BeforeAll
  static void openStore() throws IOException {
    dataDir = Files.createTempDirectory("archive-load-property");
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir), database, Clock.systemUTC());
    store.recover();
  }

  @AfterAll
  static void closeStore() throws IOException {
    database.close();
    try (Stream<Path> files = Files.walk(dataDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @Test
  void load_hostileArchives_loadOrRefuse4xxAndLeaveNothing() throws IOException {
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int seed = 0; seed < TRIES; seed++) {
      HostileArchive archive = HostileArchives.archive(new Random(seed));
      try {
        outcomes.merge(loadOrRefuse(archive), 1, Integer::sum);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ", " + archive + ": " + e.getMessage(), e);
      }
    }
    // How the tries ended, so that a generator that only makes garbage is seen.
    System.out.println("hostile archive loads: " + outcomes);
    assertTrue(outcomes.getOrDefault("loaded", 0) > 0, "no generated archive loaded: " + outcomes);
  }

  private String loadOrRefuse(HostileArchive archive) throws IOException {
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
    assertEquals(0, memory.used(), "memory given back");
    assertEquals(0, store.pendingBytes(), "no space left reserved");
    try (Stream<Path> files = Files.list(tmpDir)) {
      assertEquals(List.of(), files.toList(), "no temp file left");
    }
    return outcome.startsWith("4") ? outcome.substring(0, 3) : outcome;
  }
}
