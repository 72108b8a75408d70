package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.storage.BlobRecord;
import io.layercake.storage.BlobStore;
import io.layercake.storage.BlobWriter;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageSettings;
import io.layercake.testkit.RegistryClient;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size policy against a real store: what goes, in which order, and what never goes. */
class EvictorTest {

  private static final int BLOB = 100;

  @TempDir Path dataDir;
  private NodeDatabase database;
  private BlobStore store;
  private final Set<Digest> busy = new HashSet<>();
  private final Set<Digest> notOwned = new HashSet<>();
  private final Map<EvictionReason, Long> evicted = new EnumMap<>(EvictionReason.class);
  private final Map<EvictionReason, Long> bytesFreed = new EnumMap<>(EvictionReason.class);

  @BeforeEach
  void open() {
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir), database, Clock.systemUTC());
    store.recover();
  }

  @AfterEach
  void close() {
    database.close();
  }

  /** Cap 1000 bytes; eviction starts above 900 and stops at 500. Runs on the calling thread. */
  private Evictor evictor() {
    EvictionSettings settings = new EvictionSettings(1000, 0.9, 0.5, Duration.ofHours(1), List.of(), 10);
    Evictor evictor = new Evictor(store, settings, new PinStore(database), busy::contains,
        digest -> !notOwned.contains(digest), Runnable::run, Clock.systemUTC());
    evictor.onEviction(eviction -> {
      evicted.merge(eviction.reason(), 1L, Long::sum);
      bytesFreed.merge(eviction.reason(), eviction.size(), Long::sum);
    });
    return evictor;
  }

  /** Evictions by reason, as the evictor told its listener (the node's metrics). */
  private long evicted(EvictionReason reason) {
    return evicted.getOrDefault(reason, 0L);
  }

  /** Stores blob {@code i} of {@link #BLOB} bytes, last accessed at {@code lastAccess}. */
  private Digest blob(int i, long lastAccess) {
    byte[] bytes = String.format("%0" + BLOB + "d", i).getBytes(StandardCharsets.US_ASCII);
    Digest digest = Digest.parse(RegistryClient.digestOf(bytes));
    store.storeBytes(digest, bytes, null);
    store.index().put(digest, new BlobRecord(BLOB, null, lastAccess, lastAccess, 1));
    return digest;
  }

  private List<Digest> fill(int count) {
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      digests.add(blob(i, 1000 + i));
    }
    return digests;
  }

  @Test
  void check_underHighWater_evictsNothing() {
    fill(9);
    Evictor evictor = evictor();
    evictor.check();
    assertEquals(900, store.usedBytes());
    assertEquals(List.of(), evictor.recent());
  }

  @Test
  void check_overHighWater_evictsLeastRecentlyUsedDownToLowWater() {
    List<Digest> digests = fill(10);
    Evictor evictor = evictor();
    evictor.check();

    assertEquals(500, store.usedBytes());
    for (int i = 0; i < 10; i++) {
      assertEquals(i >= 5, store.find(digests.get(i)).isPresent(), "blob " + i);
      assertEquals(i >= 5, Files.exists(store.pathOf(digests.get(i))), "file of blob " + i);
    }
    assertEquals(5, evicted(EvictionReason.SIZE));
    assertEquals(500, bytesFreed.getOrDefault(EvictionReason.SIZE, 0L));
    assertEquals(digests.get(4), evictor.recent().get(0).digest(), "newest eviction first");
  }

  @Test
  void check_blobsOfOtherNodesShards_goFirst() {
    List<Digest> digests = fill(10);
    notOwned.add(digests.get(9));
    notOwned.add(digests.get(8));
    Evictor evictor = evictor();
    evictor.check();

    assertFalse(store.find(digests.get(9)).isPresent());
    assertFalse(store.find(digests.get(8)).isPresent());
    assertTrue(store.find(digests.get(3)).isPresent(), "only three owned blobs needed to go");
    assertFalse(store.find(digests.get(2)).isPresent());
    assertEquals(2, evicted(EvictionReason.NOT_OWNER));
    assertEquals(3, evicted(EvictionReason.SIZE));
  }

  @Test
  void check_busyLeasedAndPinned_areNeverEvicted() {
    List<Digest> digests = fill(10);
    busy.add(digests.get(0));
    Runnable lease = store.lease(digests.get(1));
    Evictor evictor = evictor();
    evictor.pins().pin(new PinStore.Pin("library/x:1", digests.get(2).toString(),
        List.of(digests.get(2).toString()), 0, UpstreamName.of("docker-hub")));
    evictor.check();

    for (int i = 0; i < 3; i++) {
      assertTrue(store.find(digests.get(i)).isPresent(), "blob " + i + " is in use or pinned");
    }
    assertFalse(store.find(digests.get(3)).isPresent());
    assertFalse(store.find(digests.get(7)).isPresent());
    assertTrue(store.find(digests.get(8)).isPresent());
    assertEquals(500, store.usedBytes());
    lease.run();
  }

  @Test
  void check_everythingInUse_leavesTheStoreOverTheCap_andMarksItHeld() {
    List<Digest> digests = fill(12);
    busy.addAll(digests);
    Evictor evictor = evictor();
    evictor.check();
    assertEquals(1200, store.usedBytes());
    assertTrue(store.capHeld(), "new blobs are to be streamed through, not stored");

    busy.clear();
    evictor.check();
    assertEquals(500, store.usedBytes());
    assertFalse(store.capHeld());
  }

  @Test
  void check_overLowWaterButUnderTheCap_isNotHeld() {
    List<Digest> digests = fill(10);
    busy.addAll(digests.subList(0, 8));
    evictor().check();
    assertEquals(800, store.usedBytes());
    assertFalse(store.capHeld(), "under the cap, new blobs are still stored");
  }

  @Test
  void newWriter_announcingABlob_evictsNothingBeforeItsBytesArrive() {
    fill(8);
    Evictor evictor = evictor();
    BlobWriter writer = store.newWriter(digestOf(300), 300);

    assertEquals(800, evictor.usedBytes());
    assertEquals(0, store.pendingBytes());
    assertEquals(List.of(), evictor.recent());
    writer.abort();
  }

  @Test
  void write_passingHighWater_makesRoomForTheBytesWritten() throws Exception {
    List<Digest> digests = fill(8);
    Evictor evictor = evictor();
    BlobWriter writer = store.newWriter(digestOf(300), 300);

    writer.write(ByteBuffer.allocate(50));
    assertEquals(800, evictor.usedBytes(), "800 + 50 is under the high-water mark");
    writer.write(ByteBuffer.allocate(100));

    // 800 + 150 passes 900: down to 500 - 150 = 350 while the blob is still arriving.
    assertEquals(300, evictor.usedBytes());
    assertEquals(150, store.pendingBytes());
    assertFalse(store.find(digests.get(4)).isPresent());
    assertTrue(store.find(digests.get(5)).isPresent());
    writer.abort();
  }

  @Test
  void abort_afterPartialWrite_releasesTheBytesAtOnce() throws Exception {
    BlobWriter writer = store.newWriter(digestOf(300), 300);
    writer.write(ByteBuffer.allocate(120));
    assertEquals(120, store.pendingBytes());

    writer.abort();
    assertEquals(0, store.pendingBytes());
    writer.abort();
    assertEquals(0, store.pendingBytes(), "released once");
  }

  @Test
  void commit_movesTheBytesFromPendingToUsed() throws Exception {
    byte[] bytes = new byte[BLOB];
    BlobWriter writer = store.newWriter(Digest.parse(RegistryClient.digestOf(bytes)), BLOB);
    writer.write(ByteBuffer.wrap(bytes));
    writer.commit(null);

    assertEquals(0, store.pendingBytes());
    assertEquals(BLOB, store.usedBytes());
  }

  /**
   * Issue 10, finding 3: a burst of fills that announce large blobs and never write them (HEADs
   * that started fills, fills that fail at once) made eviction empty the cache.
   */
  @Test
  void announcedFillsThatNeverWrite_evictNothing() {
    List<Digest> digests = fill(8);
    Evictor evictor = evictor();
    for (int i = 0; i < 50; i++) {
      store.newWriter(digestOf(1000 + i), 100L << 20).abort();
    }
    evictor.check();

    assertEquals(800, evictor.usedBytes());
    assertTrue(digests.stream().allMatch(digest -> store.find(digest).isPresent()));
    assertEquals(0, store.pendingBytes());
  }

  private static Digest digestOf(int seed) {
    return Digest.parse(RegistryClient.digestOf(Integer.toString(seed).getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void remove_respectsPinsAndLeasesUnlessForced() {
    List<Digest> digests = fill(2);
    Evictor evictor = evictor();
    evictor.pins().pin(new PinStore.Pin("library/x:1", digests.get(0).toString(),
        List.of(digests.get(0).toString()), 0, UpstreamName.of("docker-hub")));
    Runnable lease = store.lease(digests.get(1));

    assertEquals(Evictor.Outcome.PINNED, evictor.remove(digests.get(0), EvictionReason.PRUNE, false));
    assertEquals(Evictor.Outcome.IN_USE, evictor.remove(digests.get(1), EvictionReason.PRUNE, false));
    assertEquals(Evictor.Outcome.DELETED, evictor.remove(digests.get(1), EvictionReason.RMI, true));
    assertEquals(Evictor.Outcome.ABSENT, evictor.remove(digests.get(1), EvictionReason.RMI, true));
    assertEquals(1, evicted(EvictionReason.RMI));
    lease.run();
  }

  @Test
  void delete_crashBetweenUnlinkAndIndex_recoveryDropsTheEntry() throws Exception {
    List<Digest> digests = fill(2);
    // The state a kill -9 after the unlink and before the index delete leaves behind.
    Files.delete(store.pathOf(digests.get(0)));
    database.close();
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir), database, Clock.systemUTC());
    BlobStore.RecoveryReport report = store.recover();

    assertEquals(1, report.missingDropped());
    assertTrue(store.index().get(digests.get(0)).isEmpty());
    assertEquals(BLOB, store.usedBytes());
  }

  @Test
  void delete_readerThatOpenedTheFile_keepsReadingIt() throws Exception {
    Digest digest = fill(1).get(0);
    try (var channel = java.nio.channels.FileChannel.open(store.pathOf(digest))) {
      assertEquals(BlobStore.Deletion.Outcome.DELETED, store.delete(digest, true).outcome());
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(BLOB);
      assertEquals(BLOB, channel.read(buffer));
    }
  }

  @Test
  void pins_surviveReopening() {
    List<Digest> digests = fill(1);
    // A pin as nodes recorded it before pins named their upstream.
    new PinStore(database).pin(new PinStore.Pin("library/x:1", digests.get(0).toString(),
        List.of(digests.get(0).toString()), 0, null));
    database.close();
    database = NodeDatabase.open(dataDir.resolve("db"));
    assertTrue(new PinStore(database).isPinned(digests.get(0)));
  }
}
