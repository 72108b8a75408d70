package io.layercake.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotSelectionCriteria;
import akka.persistence.typed.javadsl.RetentionCriteria;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksSnapshotStoreIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final String ID = "snapshotted";
  private static final long MAX = Long.MAX_VALUE;

  @TempDir Path dataDir;

  private ActorTestKit testKit;
  private PluginProbe plugin;

  @BeforeEach
  void startNode() {
    testKit = ActorTestKit.create("snapshot-test", TestConfigs.forDataDir(dataDir));
    plugin = new PluginProbe(testKit);
  }

  @AfterEach
  void stopNode() {
    testKit.shutdownTestKit();
  }

  @Test
  void loadSnapshot_latest_returnsNewestWithItsStateAfterRestart() {
    List<SnapshotMetadata> saved = saveThree(ID);

    testKit.shutdownTestKit();
    startNode();

    SelectedSnapshot latest = plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest()).orElseThrow();
    assertEquals(saved.get(2), latest.metadata());
    assertEquals(state(15), latest.snapshot());
  }

  @Test
  void loadSnapshot_criteria_returnsNewestThatMatches() {
    List<SnapshotMetadata> saved = saveThree(ID);
    long t5 = saved.get(0).timestamp();
    long t10 = saved.get(1).timestamp();
    long t15 = saved.get(2).timestamp();

    assertEquals(Optional.of(10L), seqNr(plugin.loadSnapshot(ID, criteria(12, MAX, 0, 0))));
    assertEquals(Optional.of(5L), seqNr(plugin.loadSnapshot(ID, criteria(MAX, t10 - 1, 0, 0))));
    assertEquals(Optional.of(10L), seqNr(plugin.loadSnapshot(ID, criteria(MAX, t10, 0, 0))));
    assertEquals(Optional.of(15L), seqNr(plugin.loadSnapshot(ID, criteria(MAX, MAX, 11, t15))));
    assertEquals(Optional.empty(), seqNr(plugin.loadSnapshot(ID, criteria(9, MAX, 6, 0))));
    assertEquals(Optional.empty(), seqNr(plugin.loadSnapshot(ID, criteria(MAX, t5 - 1, 0, 0))));
    assertEquals(Optional.empty(), seqNr(plugin.loadSnapshot(ID, criteria(12, MAX, 0, t15))));
    assertEquals(Optional.of(5L), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest(), 7)));
    assertEquals(Optional.empty(), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.none())));
  }

  @Test
  void loadSnapshot_persistenceIdIsPrefixOfAnother_seesOnlyItsOwn() {
    plugin.saveSnapshot("ledger-10", 3, state(3));

    assertEquals(Optional.empty(), plugin.loadSnapshot("ledger-1", SnapshotSelectionCriteria.latest()));
    assertEquals(Optional.empty(), plugin.loadSnapshot("ledger-", SnapshotSelectionCriteria.latest()));
  }

  @Test
  void deleteSnapshot_exactMetadata_removesOnlyThatSnapshot() {
    List<SnapshotMetadata> saved = saveThree(ID);

    plugin.deleteSnapshot(saved.get(1));

    assertEquals(Optional.of(5L), seqNr(plugin.loadSnapshot(ID, criteria(12, MAX, 0, 0))));
    assertEquals(Optional.of(15L), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest())));
  }

  @Test
  void deleteSnapshot_otherTimestamp_keepsSnapshot() {
    List<SnapshotMetadata> saved = saveThree(ID);

    plugin.deleteSnapshot(new SnapshotMetadata(ID, 15, saved.get(2).timestamp() - 1));

    assertEquals(Optional.of(15L), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest())));
  }

  @Test
  void deleteSnapshot_timestampZero_removesEverySnapshotAtThatSequenceNr() {
    List<SnapshotMetadata> saved = saveThree(ID);
    awaitClockPast(saved.get(2).timestamp());
    SnapshotMetadata again = plugin.saveSnapshot(ID, 15, state(15));
    assertEquals(again, plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest()).orElseThrow().metadata());

    plugin.deleteSnapshot(new SnapshotMetadata(ID, 15, 0));

    assertEquals(Optional.of(10L), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest())));
  }

  @Test
  void deleteSnapshots_criteria_removesEveryMatchingSnapshot() {
    saveThree(ID);
    plugin.saveSnapshot("other", 5, state(5));

    plugin.deleteSnapshots(ID, criteria(10, MAX, 0, 0));

    assertEquals(Optional.of(15L), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest())));
    assertEquals(Optional.empty(), seqNr(plugin.loadSnapshot(ID, criteria(14, MAX, 0, 0))));
    assertEquals(Optional.of(5L), seqNr(plugin.loadSnapshot("other", SnapshotSelectionCriteria.latest())));
  }

  @Test
  void deleteSnapshots_timestampWindow_keepsSnapshotsOutsideIt() {
    List<SnapshotMetadata> saved = saveThree(ID);

    plugin.deleteSnapshots(ID, criteria(MAX, saved.get(1).timestamp(), 0, saved.get(1).timestamp()));

    assertEquals(Optional.of(5L), seqNr(plugin.loadSnapshot(ID, criteria(14, MAX, 0, 0))));
    assertEquals(Optional.of(15L), seqNr(plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest())));
  }

  @Test
  void recovery_snapshotThenLaterEvents_restoresFullStateAfterRestart() {
    RetentionCriteria retention = RetentionCriteria.snapshotEvery(10, 2).withDeleteEventsOnSnapshot();
    ActorRef<Ledger.Command> ledger = testKit.spawn(Ledger.create(ID, retention));
    TestProbe<Long> appended = testKit.createTestProbe();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 35; i++) {
      expected.add("entry-" + i);
      ledger.tell(new Ledger.Append(List.of("entry-" + i), appended.ref()));
      appended.receiveMessage(TIMEOUT);
    }
    // Retention deletes the events that older snapshots cover, after a snapshot is saved.
    appended.awaitAssert(
        TIMEOUT,
        () -> {
          List<Long> remaining = plugin.replayAll(ID).sequenceNrs();
          assertTrue(remaining.get(0) > 1, "events covered by snapshots are deleted: " + remaining);
          return null;
        });
    SelectedSnapshot latest = plugin.loadSnapshot(ID, SnapshotSelectionCriteria.latest()).orElseThrow();
    assertEquals(30, latest.metadata().sequenceNr());
    assertEquals(new Ledger.State(expected.subList(0, 30)), latest.snapshot());

    testKit.shutdownTestKit();
    startNode();

    ActorRef<Ledger.Command> recovered = testKit.spawn(Ledger.create(ID, retention));
    TestProbe<Ledger.Contents> contents = testKit.createTestProbe();
    recovered.tell(new Ledger.Get(contents.ref()));
    assertEquals(new Ledger.Contents(expected, 35), contents.receiveMessage(TIMEOUT));
  }

  /** Snapshots at sequence numbers 5, 10 and 15, each saved at a later millisecond than the last. */
  private List<SnapshotMetadata> saveThree(String persistenceId) {
    List<SnapshotMetadata> saved = new ArrayList<>();
    for (long seqNr : new long[] {5, 10, 15}) {
      if (!saved.isEmpty()) {
        awaitClockPast(saved.get(saved.size() - 1).timestamp());
      }
      saved.add(plugin.saveSnapshot(persistenceId, seqNr, state(seqNr)));
    }
    return saved;
  }

  /** Akka stamps snapshots in milliseconds; spin (at most about one) until the clock moves on. */
  private static void awaitClockPast(long timestamp) {
    while (System.currentTimeMillis() <= timestamp) {
      Thread.onSpinWait();
    }
  }

  private static Ledger.State state(long entries) {
    List<String> list = new ArrayList<>();
    for (long i = 1; i <= entries; i++) {
      list.add("entry-" + i);
    }
    return new Ledger.State(List.copyOf(list));
  }

  private static SnapshotSelectionCriteria criteria(
      long maxSeqNr, long maxTimestamp, long minSeqNr, long minTimestamp) {
    return SnapshotSelectionCriteria.create(maxSeqNr, maxTimestamp, minSeqNr, minTimestamp);
  }

  private static Optional<Long> seqNr(Optional<SelectedSnapshot> snapshot) {
    return snapshot.map(selected -> selected.metadata().sequenceNr());
  }
}
