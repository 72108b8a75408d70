package io.layercake.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import io.layercake.oci.Digest;
import io.layercake.testkit.Await;
import io.layercake.testkit.BlobRot;
import io.layercake.testkit.Sha256;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scrub's steps, driven by the test instead of a schedule: what it finds, that it keeps to its
 * rate, and what it leaves alone.
 */
class BlobScrubTest {

  private static final long MIB = 1024 * 1024;
  /** A rate at which one step reads a tenth of a mebibyte. */
  private static final ScrubSettings ONE_MIB_PER_SECOND =
      new ScrubSettings(true, MIB, Duration.ofHours(24), Duration.ZERO);
  private static final Digest FIRST = new Digest("0".repeat(64));
  private static final Digest MIDDLE = new Digest("8" + "0".repeat(63));

  @TempDir Path dataDir;
  private final List<Corruption> corruptions = Collections.synchronizedList(new ArrayList<>());
  private NodeDatabase database;
  private BlobStore store;

  @BeforeEach
  void open() {
    database = NodeDatabase.open(dataDir.resolve("db"));
    store = BlobStore.open(new StorageSettings(dataDir), database, Clock.systemUTC());
    store.recover();
    store.onCorruption(corruptions::add);
  }

  @AfterEach
  void close() {
    database.close();
  }

  private Digest stored(int seed, int size) {
    byte[] bytes = BlobStoreTest.bytes(seed, size);
    Digest digest = Digest.parse(Sha256.digest(bytes));
    store.storeBytes(digest, bytes, null);
    return digest;
  }

  /** Steps until a pass ends; the pauses asked for, the last (with the interval) left out. */
  private static List<Duration> runPass(BlobScrub scrub) throws Exception {
    long before = scrub.passesDone();
    List<Duration> pauses = new ArrayList<>();
    for (int steps = 0; scrub.passesDone() == before; steps++) {
      assertTrue(steps < 10_000, "the pass does not end");
      pauses.add(scrub.step().orElseThrow());
    }
    pauses.remove(pauses.size() - 1);
    return pauses;
  }

  private List<Digest> quarantined() {
    return corruptions.stream().peek(c -> assertEquals(Corruption.FoundBy.SCRUB, c.foundBy()))
        .map(Corruption::digest).sorted().toList();
  }

  @Test
  void step_bitFlippedBlob_quarantined() throws Exception {
    Digest intact = stored(1, 200_000);
    Digest flipped = stored(2, 200_000);
    BlobRot.flipBit(dataDir, flipped.toString(), 123_456);

    runPass(new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST));

    assertEquals(List.of(flipped), quarantined());
    assertTrue(corruptions.get(0).detail().contains("digest"), corruptions.get(0).detail());
    assertTrue(store.find(flipped).isEmpty());
    assertTrue(store.find(intact).isPresent());
  }

  @Test
  void step_truncatedBlob_quarantined() throws Exception {
    Digest truncated = stored(3, 200_000);
    BlobRot.truncate(dataDir, truncated.toString(), 10_000);

    runPass(new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST));

    assertEquals(List.of(truncated), quarantined());
    assertTrue(corruptions.get(0).detail().contains("10000 bytes"), corruptions.get(0).detail());
  }

  @Test
  void step_anotherBlobsBytesOfTheSameSize_quarantined() throws Exception {
    Digest original = stored(4, 100_000);
    Digest swapped = stored(5, 100_000);
    BlobRot.swap(dataDir, swapped.toString(), original.toString());

    runPass(new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST));

    assertEquals(List.of(swapped), quarantined());
    assertTrue(corruptions.get(0).detail().contains(original.toString()),
        "the detail names the digest the bytes have: " + corruptions.get(0).detail());
    assertTrue(store.find(original).isPresent());
  }

  @Test
  void step_passStartingMidway_checksEveryBlobOnceAndWraps() throws Exception {
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      Digest digest = stored(100 + i, 1000);
      BlobRot.flipBit(dataDir, digest.toString(), 0);
      digests.add(digest);
    }
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, MIDDLE);

    runPass(scrub);

    assertEquals(digests.stream().sorted().toList(), quarantined());
    // In digest order from the start point, wrapping around.
    List<Digest> order = corruptions.stream().map(Corruption::digest).toList();
    List<Digest> expected = new ArrayList<>(digests.stream().filter(d -> d.compareTo(MIDDLE) > 0).sorted().toList());
    expected.addAll(digests.stream().filter(d -> d.compareTo(MIDDLE) <= 0).sorted().toList());
    assertEquals(expected, order);
  }

  @Test
  void step_intactStore_nothingQuarantinedAndNextPassAfterTheInterval() throws Exception {
    stored(6, 1000);
    stored(7, 1000);
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST);

    Duration last = Duration.ZERO;
    while (scrub.passesDone() == 0) {
      last = scrub.step().orElseThrow();
    }

    assertEquals(List.of(), corruptions);
    assertTrue(last.compareTo(Duration.ofHours(24)) >= 0, "pause after the pass: " + last);
  }

  @Test
  void step_boundedRate_pausesAddUpToBytesOverRate() throws Exception {
    for (int i = 0; i < 3; i++) {
      stored(8 + i, (int) MIB);
    }

    List<Duration> pauses = runPass(new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST));

    // 3 MiB at 1 MiB/s: three seconds of pauses, in steps of at most a tenth of a second.
    Duration total = pauses.stream().reduce(Duration.ZERO, Duration::plus);
    assertTrue(total.compareTo(Duration.ofMillis(2990)) >= 0 && total.compareTo(Duration.ofMillis(3010)) <= 0,
        "pauses add up to " + total);
    Duration longest = pauses.stream().max(Comparator.naturalOrder()).orElseThrow();
    assertTrue(longest.compareTo(Duration.ofMillis(101)) <= 0, "longest pause " + longest);
    assertTrue(pauses.size() >= 30, pauses.size() + " steps");
  }

  @Test
  void step_blobEvictedWhileBeingRead_readToTheEndAndNothingQuarantined() throws Exception {
    Digest digest = stored(11, (int) MIB);
    BlobRot.flipBit(dataDir, digest.toString(), MIB - 1);
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST);
    scrub.step();

    assertEquals(BlobStore.Deletion.Outcome.DELETED, store.delete(digest, false).outcome());
    runPass(scrub);

    assertEquals(List.of(), corruptions);
  }

  @Test
  void step_freshCopyRenamedOverTheBadFileWhileRead_freshCopyKept() throws Exception {
    byte[] bytes = BlobStoreTest.bytes(12, (int) MIB);
    Digest digest = stored(12, (int) MIB);
    BlobRot.flipBit(dataDir, digest.toString(), MIB - 1);
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST);
    scrub.step();

    BlobWriter fresh = store.newWriter(digest, bytes.length);
    fresh.write(ByteBuffer.wrap(bytes));
    fresh.commit(null);
    runPass(scrub);

    assertEquals(List.of(), corruptions);
    assertTrue(store.readVerified(store.find(digest).orElseThrow()).isPresent());
  }

  @Test
  void step_blobBeingWritten_skippedUntilTheWriterIsDone() throws Exception {
    Digest digest = stored(13, 1000);
    BlobRot.flipBit(dataDir, digest.toString(), 10);
    BlobWriter writer = store.newWriter(digest, 1000);
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST);

    runPass(scrub);
    assertEquals(List.of(), corruptions);

    writer.abort();
    runPass(scrub);
    assertEquals(List.of(digest), quarantined());
  }

  @Test
  void step_emptyStore_passEndsAtOnce() throws Exception {
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, MIDDLE);

    Optional<Duration> pause = scrub.step();

    assertEquals(1, scrub.passesDone());
    assertEquals(Duration.ofHours(24), pause.orElseThrow());
  }

  @Test
  void start_onTheSchedulersClock_keepsToTheRate() throws Exception {
    List<Digest> digests = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Digest digest = stored(20 + i, (int) MIB / 2);
      BlobRot.flipBit(dataDir, digest.toString(), MIB / 2 - 1);
      digests.add(digest);
    }
    ActorTestKit testKit = ActorTestKit.create();
    ExecutorService blocking = Executors.newSingleThreadExecutor();
    try {
      long started = System.nanoTime();
      BlobScrub.start(testKit.system(), new ScrubSettings(true, 2 * MIB, Duration.ofHours(1), Duration.ZERO),
          store, blocking);
      Await.until(Duration.ofSeconds(30), "all four found", () -> corruptionCount() == 4);
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      // 2 MiB at 2 MiB/s: the last byte is read after at least the pauses of the slices before it.
      assertTrue(took.compareTo(Duration.ofMillis(850)) >= 0, "the scrub read 2 MiB in " + took);
      assertEquals(digests.stream().sorted().toList(), quarantined());
    } finally {
      testKit.shutdownTestKit();
      blocking.shutdown();
    }
  }

  private int corruptionCount() {
    synchronized (corruptions) {
      return corruptions.size();
    }
  }

  @Test
  void step_afterStop_doesNothing() throws Exception {
    Digest digest = stored(14, 1000);
    BlobRot.flipBit(dataDir, digest.toString(), 10);
    BlobScrub scrub = new BlobScrub(store, ONE_MIB_PER_SECOND, FIRST);

    scrub.stop();

    assertEquals(Optional.empty(), scrub.step());
    assertEquals(List.of(), corruptions);
  }
}
