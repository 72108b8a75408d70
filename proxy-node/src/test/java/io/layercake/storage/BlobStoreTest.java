package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.testkit.BlobRot;
import io.layercake.testkit.ManualClock;
import io.layercake.testkit.Sha256;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files verified, not trusted: what recovery, lookups and the quarantine do with a bad file. */
class BlobStoreTest {

  private static final int SIZE = 50_000;

  @TempDir Path dataDir;
  private final ManualClock clock = new ManualClock();
  private final List<Corruption> corruptions = new ArrayList<>();
  private NodeDatabase database;
  private BlobStore store;

  @BeforeEach
  void open() {
    reopen(Long.MAX_VALUE);
  }

  @AfterEach
  void close() {
    database.close();
  }

  /** Closes the store, as a stop does, and opens it again without recovering. */
  private void reopen(long quarantineMaxSize) {
    if (database != null) {
      database.close();
    }
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir, quarantineMaxSize), database, clock);
    store.onCorruption(corruptions::add);
  }

  static byte[] bytes(int seed, int size) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private Digest stored(int seed) {
    return stored(seed, SIZE);
  }

  private Digest stored(int seed, int size) {
    byte[] bytes = bytes(seed, size);
    Digest digest = Digest.parse(Sha256.digest(bytes));
    store.storeBytes(digest, bytes, null);
    return digest;
  }

  private List<Corruption.FoundBy> found() {
    return corruptions.stream().map(Corruption::foundBy).toList();
  }

  @Test
  void recover_fileSizeDiffersFromIndex_quarantinedNotServed() {
    Digest intact = stored(1);
    Digest truncated = stored(2);
    BlobRot.truncate(dataDir, truncated.toString(), 10_000);
    reopen(Long.MAX_VALUE);

    BlobStore.RecoveryReport report = store.recover();

    assertEquals(1, report.quarantined());
    assertTrue(store.findForPull(truncated).isEmpty(), "the truncated file is served");
    assertTrue(store.index().get(truncated).isEmpty(), "the truncated file is still indexed");
    assertTrue(store.findForPull(intact).isPresent());
    assertEquals(SIZE, store.usedBytes());
    assertEquals(List.of(Corruption.FoundBy.RECOVERY), found());
    assertEquals(List.of(truncated.hex() + ".recovery." + clock.millis()), BlobRot.quarantined(dataDir));
    assertFalse(Files.exists(store.pathOf(truncated)));
  }

  @Test
  void recover_unindexedFileOfItsDigestsBytes_hashedAndIndexed() {
    Digest digest = stored(3);
    // A kill between the commit's rename and its index write leaves this.
    store.index().remove(digest);
    reopen(Long.MAX_VALUE);

    BlobStore.RecoveryReport report = store.recover();

    assertEquals(1, report.filesIndexed());
    assertEquals(0, report.quarantined());
    assertEquals(SIZE, store.findForPull(digest).orElseThrow().size());
    assertEquals(SIZE, store.usedBytes());
  }

  @Test
  void recover_unindexedFileOfOtherBytes_quarantined() throws Exception {
    Digest digest = stored(4);
    store.index().remove(digest);
    Files.write(store.pathOf(digest), bytes(5, SIZE));
    reopen(Long.MAX_VALUE);

    BlobStore.RecoveryReport report = store.recover();

    assertEquals(0, report.filesIndexed());
    assertEquals(1, report.quarantined());
    assertTrue(store.find(digest).isEmpty());
    assertEquals(0, store.usedBytes());
    assertEquals(List.of(Corruption.FoundBy.RECOVERY), found());
  }

  @Test
  void findForPull_fileTruncatedTo10000Bytes_quarantinedAndAbsent() {
    Digest digest = stored(6);
    long before = store.usedBytes();
    BlobRot.truncate(dataDir, digest.toString(), 10_000);

    assertTrue(store.findForPull(digest).isEmpty(), "a truncated file was found");

    assertEquals(List.of(Corruption.FoundBy.SERVE), found());
    assertTrue(corruptions.get(0).detail().contains("10000 bytes"), corruptions.get(0).detail());
    assertTrue(store.index().get(digest).isEmpty());
    assertEquals(before - SIZE, store.usedBytes());
    assertEquals(0, store.usedBlobs());
    assertEquals(List.of(digest.hex() + ".serve." + clock.millis()), BlobRot.quarantined(dataDir));
  }

  @Test
  void find_fileExtended_quarantinedAndAbsent() {
    Digest digest = stored(7);
    BlobRot.extend(dataDir, digest.toString(), new byte[] {1});

    assertTrue(store.find(digest).isEmpty(), "an extended file was found");

    assertEquals(List.of(Corruption.FoundBy.SERVE), found());
  }

  @Test
  void find_fileWithoutIndexEntry_notServedUntilRecoveryHashesIt() {
    Digest digest = stored(8);
    store.index().remove(digest);

    assertTrue(store.find(digest).isEmpty());
    assertTrue(Files.exists(store.pathOf(digest)), "the file is left for recovery");
    assertEquals(List.of(), found());
  }

  @Test
  void findForPull_quarantinedBlobStoredAgain_servedAgain() {
    Digest digest = stored(9);
    BlobRot.truncate(dataDir, digest.toString(), 1);
    assertTrue(store.findForPull(digest).isEmpty());

    stored(9);

    assertEquals(SIZE, store.findForPull(digest).orElseThrow().size());
    assertEquals(SIZE, store.usedBytes());
  }

  @Test
  void readVerified_bitFlipped_quarantinedAndEmpty() throws Exception {
    Digest digest = stored(10, 300);
    BlobRot.flipBit(dataDir, digest.toString(), 150);
    StoredBlob blob = store.find(digest).orElseThrow();

    assertTrue(store.readVerified(blob).isEmpty(), "a bit-flipped file was read as verified");

    assertEquals(List.of(Corruption.FoundBy.SERVE), found());
    assertTrue(store.find(digest).isEmpty());
  }

  @Test
  void readVerified_intact_returnsTheBytes() throws Exception {
    Digest digest = stored(11, 300);

    assertArrayEquals(bytes(11, 300), store.readVerified(store.find(digest).orElseThrow()).orElseThrow());
  }

  @Test
  void quarantine_overMaxSize_oldestFilesDeleted() {
    reopen(SIZE + SIZE / 2);
    Digest first = stored(12);
    Digest second = stored(13);
    BlobRot.truncate(dataDir, first.toString(), SIZE - 1);
    BlobRot.truncate(dataDir, second.toString(), SIZE - 1);

    assertTrue(store.find(first).isEmpty());
    long firstAt = clock.millis();
    clock.advance(Duration.ofSeconds(1));
    assertTrue(store.find(second).isEmpty());

    assertEquals(List.of(second.hex() + ".serve." + (firstAt + 1000)), BlobRot.quarantined(dataDir));
    assertEquals(2, corruptions.size());
  }

  @Test
  void quarantine_maxSizeZero_deletesTheFile() {
    reopen(0);
    Digest digest = stored(14);
    BlobRot.truncate(dataDir, digest.toString(), 10);

    assertTrue(store.find(digest).isEmpty());

    assertEquals(List.of(), BlobRot.quarantined(dataDir));
    assertFalse(Files.exists(store.pathOf(digest)));
    assertEquals(List.of(Corruption.FoundBy.SERVE), found());
  }

  @Test
  void quarantine_otherFilesInTheFolder_leftAlone() throws Exception {
    reopen(0);
    Files.createDirectories(dataDir.resolve("quarantine"));
    Files.writeString(dataDir.resolve("quarantine/notes.txt"), "the operator's", StandardCharsets.UTF_8);
    Digest digest = stored(15);
    BlobRot.truncate(dataDir, digest.toString(), 10);

    assertTrue(store.find(digest).isEmpty());

    assertEquals(List.of("notes.txt"), BlobRot.quarantined(dataDir));
  }

  @Test
  void isBeingWritten_openWriter_untilCommitted() throws Exception {
    byte[] bytes = bytes(16, 100);
    Digest digest = Digest.parse(Sha256.digest(bytes));
    BlobWriter writer = store.newWriter(digest, bytes.length);
    assertTrue(store.isBeingWritten(digest));
    writer.write(ByteBuffer.wrap(bytes));
    writer.commit(null);
    assertFalse(store.isBeingWritten(digest));

    BlobWriter abandoned = store.newWriter(digest, bytes.length);
    abandoned.abort();
    assertFalse(store.isBeingWritten(digest));
  }
}
