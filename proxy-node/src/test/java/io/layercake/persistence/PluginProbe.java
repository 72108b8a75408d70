package io.layercake.persistence;

import static org.junit.jupiter.api.Assertions.fail;

import akka.actor.ActorRef;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.persistence.AtomicWrite;
import akka.persistence.DeleteMessagesSuccess;
import akka.persistence.DeleteSnapshotSuccess;
import akka.persistence.DeleteSnapshotsSuccess;
import akka.persistence.JournalProtocol;
import akka.persistence.Persistence;
import akka.persistence.PersistentEnvelope;
import akka.persistence.PersistentRepr;
import akka.persistence.SaveSnapshotSuccess;
import akka.persistence.SelectedSnapshot;
import akka.persistence.SnapshotMetadata;
import akka.persistence.SnapshotProtocol;
import akka.persistence.SnapshotSelectionCriteria;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.OptionConverters;

/**
 * Speaks Akka's journal and snapshot-store protocols to the configured plugins directly, the way
 * Akka's own plugin compliance suite does, so that tests can choose exact sequence numbers,
 * replay windows, timestamps and payloads.
 */
final class PluginProbe {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String WRITER_UUID = "plugin-probe";
  private static final int ACTOR_INSTANCE_ID = 1;

  private final TestProbe<Object> probe;
  private final ActorRef replyTo;
  private final ActorRef journal;
  private final ActorRef snapshotStore;

  PluginProbe(ActorTestKit testKit) {
    this.probe = testKit.createTestProbe();
    this.replyTo = Adapter.toClassic(probe.ref());
    Persistence persistence = Persistence.get(Adapter.toClassic(testKit.system()));
    this.journal = persistence.journalFor("", ConfigFactory.empty());
    this.snapshotStore = persistence.snapshotStoreFor("", ConfigFactory.empty());
  }

  /** One event as the journal receives it from a persistent actor. */
  static PersistentRepr event(String persistenceId, long sequenceNr, Object payload) {
    return PersistentRepr.apply(
        payload, sequenceNr, persistenceId, "", false, ActorRef.noSender(), WRITER_UUID);
  }

  /** Writes one AtomicWrite per inner list; returns the per-event replies in order. */
  List<Object> write(List<List<PersistentRepr>> atomicWrites) {
    List<PersistentEnvelope> envelopes = new ArrayList<>();
    int events = 0;
    for (List<PersistentRepr> atomicWrite : atomicWrites) {
      envelopes.add(AtomicWrite.apply(toScala(atomicWrite)));
      events += atomicWrite.size();
    }
    journal.tell(
        new JournalProtocol.WriteMessages(toScala(envelopes), replyTo, ACTOR_INSTANCE_ID), replyTo);
    Object outcome = probe.receiveMessage(TIMEOUT);
    if (!outcome.getClass().getSimpleName().startsWith("WriteMessagesSuccessful")) {
      fail("Expected WriteMessagesSuccessful, got " + outcome);
    }
    return probe.receiveSeveralMessages(events, TIMEOUT);
  }

  /** Writes each event as its own AtomicWrite and asserts that all were stored. */
  void writeAll(List<PersistentRepr> events) {
    for (Object reply : write(events.stream().map(List::of).toList())) {
      if (!(reply instanceof JournalProtocol.WriteMessageSuccess)) {
        fail("Expected WriteMessageSuccess, got " + reply);
      }
    }
  }

  /** What a replay returned: the events in order, and the highest sequence number the journal reported. */
  record Replay(List<PersistentRepr> events, long highestSequenceNr) {
    List<Long> sequenceNrs() {
      return events.stream().map(PersistentRepr::sequenceNr).toList();
    }

    List<Object> payloads() {
      return events.stream().map(PersistentRepr::payload).toList();
    }
  }

  /** Replays {@code persistenceId} within the window, as a recovering actor would ask. */
  Replay replay(String persistenceId, long fromSequenceNr, long toSequenceNr, long max) {
    journal.tell(
        new JournalProtocol.ReplayMessages(fromSequenceNr, toSequenceNr, max, persistenceId, replyTo),
        replyTo);
    List<PersistentRepr> events = new ArrayList<>();
    while (true) {
      Object reply = probe.receiveMessage(TIMEOUT);
      if (reply instanceof JournalProtocol.ReplayedMessage replayed) {
        events.add(replayed.persistent());
      } else if (reply instanceof JournalProtocol.RecoverySuccess success) {
        return new Replay(events, success.highestSequenceNr());
      } else {
        fail("Unexpected reply to a replay: " + reply);
      }
    }
  }

  /** Replays every event of {@code persistenceId}. */
  Replay replayAll(String persistenceId) {
    return replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
  }

  /** Deletes events up to {@code toSequenceNr} and waits for the journal to confirm. */
  void deleteTo(String persistenceId, long toSequenceNr) {
    journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, replyTo), replyTo);
    probe.expectMessageClass(DeleteMessagesSuccess.class, TIMEOUT);
  }

  /**
   * Saves a snapshot and waits for the store to confirm; returns the metadata as stored, whose
   * timestamp Akka sets to the time of saving.
   */
  SnapshotMetadata saveSnapshot(String persistenceId, long sequenceNr, Object snapshot) {
    snapshotStore.tell(
        new SnapshotProtocol.SaveSnapshot(new SnapshotMetadata(persistenceId, sequenceNr, 0), snapshot),
        replyTo);
    return probe.expectMessageClass(SaveSnapshotSuccess.class, TIMEOUT).metadata();
  }

  /** Loads the newest snapshot that matches, as a recovering actor would ask. */
  Optional<SelectedSnapshot> loadSnapshot(
      String persistenceId, SnapshotSelectionCriteria criteria, long toSequenceNr) {
    snapshotStore.tell(new SnapshotProtocol.LoadSnapshot(persistenceId, criteria, toSequenceNr), replyTo);
    SnapshotProtocol.LoadSnapshotResult result =
        probe.expectMessageClass(SnapshotProtocol.LoadSnapshotResult.class, TIMEOUT);
    return OptionConverters.toJava(result.snapshot());
  }

  /** Loads the newest snapshot that matches, with no upper sequence number of the caller's own. */
  Optional<SelectedSnapshot> loadSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
    return loadSnapshot(persistenceId, criteria, Long.MAX_VALUE);
  }

  /** Deletes one snapshot and waits for the store to confirm. */
  void deleteSnapshot(SnapshotMetadata metadata) {
    snapshotStore.tell(new SnapshotProtocol.DeleteSnapshot(metadata), replyTo);
    probe.expectMessageClass(DeleteSnapshotSuccess.class, TIMEOUT);
  }

  /** Deletes every matching snapshot and waits for the store to confirm. */
  void deleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria) {
    snapshotStore.tell(new SnapshotProtocol.DeleteSnapshots(persistenceId, criteria), replyTo);
    probe.expectMessageClass(DeleteSnapshotsSuccess.class, TIMEOUT);
  }

  private static <T> scala.collection.immutable.List<T> toScala(List<T> list) {
    return CollectionConverters.asScala(list).toList();
  }
}
