package io.layercake.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.persistence.JournalProtocol.WriteMessageRejected;
import akka.persistence.JournalProtocol.WriteMessageSuccess;
import akka.persistence.PersistentRepr;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RocksJournalIntegrationTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @TempDir Path dataDir;
  @TempDir Path logDir;

  private ActorTestKit testKit;

  @BeforeEach
  void startNode() {
    testKit = ActorTestKit.create("journal-test", TestConfigs.forDataDir(dataDir));
  }

  @AfterEach
  void stopNode() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void persistAll_manyEventsAcrossPersistenceIds_replaysInOrderAfterRestart() {
    // Ids that are prefixes of one another, and one that is not ASCII.
    List<String> ids = List.of("ledger-1", "ledger-10", "ledger-11", "ledger-1-1", "ledger-ü");
    Map<String, List<String>> expected = new LinkedHashMap<>();
    Map<String, TestProbe<Long>> replies = new HashMap<>();
    for (String id : ids) {
      ActorRef<Ledger.Command> ledger = testKit.spawn(Ledger.create(id));
      TestProbe<Long> probe = testKit.createTestProbe();
      replies.put(id, probe);
      List<String> entries = new ArrayList<>();
      for (int batch = 1; batch <= 12; batch++) {
        List<String> batchEntries = entries(id + "/" + batch, batch);
        entries.addAll(batchEntries);
        ledger.tell(new Ledger.Append(batchEntries, probe.ref()));
      }
      expected.put(id, entries);
    }
    for (String id : ids) {
      List<Long> lastSequenceNrs = replies.get(id).receiveSeveralMessages(12, TIMEOUT);
      assertEquals((long) expected.get(id).size(), lastSequenceNrs.get(11));
    }

    restartNode();

    PluginProbe plugin = new PluginProbe(testKit);
    for (String id : ids) {
      int size = expected.get(id).size();
      assertEquals(new Ledger.Contents(expected.get(id), size), contents(id));
      assertEquals(sequence(1, size), plugin.replayAll(id).sequenceNrs());
    }
  }

  @Test
  void replay_windowAndMax_returnsOnlyRequestedEvents() {
    PluginProbe plugin = new PluginProbe(testKit);
    plugin.writeAll(events("window", 1, 10));

    assertEquals(sequence(3, 7), plugin.replay("window", 3, 7, Long.MAX_VALUE).sequenceNrs());
    assertEquals(sequence(1, 4), plugin.replay("window", 1, Long.MAX_VALUE, 4).sequenceNrs());
    assertEquals(sequence(6, 7), plugin.replay("window", 6, Long.MAX_VALUE, 2).sequenceNrs());
    assertEquals(List.of(), plugin.replay("window", 8, 5, Long.MAX_VALUE).sequenceNrs());
    assertEquals(
        List.of(new Ledger.Appended("event-9")), plugin.replay("window", 9, 9, 1).payloads());
    assertEquals(10, plugin.replay("window", 3, 7, 1).highestSequenceNr());
  }

  @Test
  void readHighestSequenceNr_unknownPersistenceId_isZero() {
    PluginProbe plugin = new PluginProbe(testKit);
    plugin.writeAll(events("known", 1, 3));

    PluginProbe.Replay replay = plugin.replayAll("know");

    assertEquals(List.of(), replay.events());
    assertEquals(0, replay.highestSequenceNr());
  }

  @Test
  void deleteMessagesTo_prefixThenEverything_highestSequenceNrSurvivesRestart() {
    PluginProbe plugin = new PluginProbe(testKit);
    plugin.writeAll(events("deleted", 1, 10));

    plugin.deleteTo("deleted", 4);
    PluginProbe.Replay afterPrefix = plugin.replayAll("deleted");
    assertEquals(sequence(5, 10), afterPrefix.sequenceNrs());
    assertEquals(10, afterPrefix.highestSequenceNr());

    plugin.deleteTo("deleted", Long.MAX_VALUE);
    PluginProbe.Replay afterAll = plugin.replayAll("deleted");
    assertEquals(List.of(), afterAll.events());
    assertEquals(10, afterAll.highestSequenceNr());

    restartNode();

    assertEquals(10, new PluginProbe(testKit).replayAll("deleted").highestSequenceNr());
    ActorRef<Ledger.Command> ledger = testKit.spawn(Ledger.create("deleted"));
    TestProbe<Long> appended = testKit.createTestProbe();
    ledger.tell(new Ledger.Append(List.of("after"), appended.ref()));
    assertEquals(11L, appended.receiveMessage(TIMEOUT));
    TestProbe<Ledger.Contents> contents = testKit.createTestProbe();
    ledger.tell(new Ledger.Get(contents.ref()));
    assertEquals(new Ledger.Contents(List.of("after"), 11), contents.receiveMessage(TIMEOUT));
  }

  @Test
  void deleteMessagesTo_beyondHighest_keepsEventsWrittenLater() {
    PluginProbe plugin = new PluginProbe(testKit);
    plugin.writeAll(events("ahead", 1, 3));

    plugin.deleteTo("ahead", 100);
    plugin.writeAll(events("ahead", 4, 5));

    PluginProbe.Replay replay = plugin.replayAll("ahead");
    assertEquals(sequence(4, 5), replay.sequenceNrs());
    assertEquals(5, replay.highestSequenceNr());
  }

  @Test
  void writeMessages_unserializableEventInAtomicWrite_rejectsOnlyThatWrite() {
    PluginProbe plugin = new PluginProbe(testKit);

    List<Object> replies =
        plugin.write(
            List.of(
                events("rejecting", 1, 1),
                List.of(
                    PluginProbe.event("rejecting", 2, new Ledger.Appended("event-2")),
                    PluginProbe.event("rejecting", 3, new NotSerializable())),
                events("rejecting", 4, 4)));

    assertInstanceOf(WriteMessageSuccess.class, replies.get(0));
    assertInstanceOf(WriteMessageRejected.class, replies.get(1));
    assertInstanceOf(WriteMessageRejected.class, replies.get(2));
    assertInstanceOf(WriteMessageSuccess.class, replies.get(3));
    assertEquals(List.of(1L, 4L), plugin.replayAll("rejecting").sequenceNrs());
  }

  @Test
  void persistAll_systemStopsWhileWriting_batchWhollyPresentOrAbsent() {
    int batchSize = 300;
    List<String> stored = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      ActorRef<Ledger.Command> ledger = testKit.spawn(Ledger.create("interrupted"));
      TestProbe<Long> probe = testKit.createTestProbe();
      List<String> marker = List.of("round-" + round);
      ledger.tell(new Ledger.Append(marker, probe.ref()));
      probe.receiveMessage(TIMEOUT);
      stored.addAll(marker);
      List<String> batch = entries("round-" + round, batchSize);
      ledger.tell(new Ledger.Append(batch, probe.ref()));

      restartNode();

      List<String> recovered = contents("interrupted").entries();
      if (recovered.size() == stored.size() + batchSize) {
        stored.addAll(batch);
      }
      assertEquals(stored, recovered, "round " + round + ": the batch must be all there or absent");
    }
  }

  @Test
  void killedWriterProcess_everyLedgerReplaysWholeBatchesWithoutGaps() throws Exception {
    int ledgers = 4;
    int batchSize = 25;
    Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    // The writer JVM needs the folder lock of the database while it runs.
    testKit.shutdownTestKit();
    testKit = null;

    // Three crashes, each writer resuming from what the previous one left behind.
    for (int round = 0; round < 3; round++) {
      LedgerCrashWriter.killAfterBatches(
          dataDir, logDir.resolve("writer-" + round + ".log"), ledgers, batchSize, acknowledged);
    }

    testKit = ActorTestKit.create("journal-test", TestConfigs.forDataDir(dataDir));
    PluginProbe plugin = new PluginProbe(testKit);
    for (int i = 0; i < ledgers; i++) {
      String id = LedgerCrashWriter.persistenceId(i);
      PluginProbe.Replay replay = plugin.replayAll(id);
      long highest = replay.highestSequenceNr();
      assertEquals(sequence(1, highest), replay.sequenceNrs(), id + " has a gap");
      assertEquals(0, highest % batchSize, id + " ends in a partial batch at " + highest);
      assertTrue(highest >= acknowledged.get(id), id + " lost acknowledged events");
      for (PersistentRepr event : replay.events()) {
        assertEquals(new Ledger.Appended("seq-" + event.sequenceNr()), event.payload());
      }
      assertEquals(highest, contents(id).lastSequenceNr());
    }
  }

  private void restartNode() {
    testKit.shutdownTestKit();
    testKit = ActorTestKit.create("journal-test", TestConfigs.forDataDir(dataDir));
  }

  private Ledger.Contents contents(String persistenceId) {
    ActorRef<Ledger.Command> ledger = testKit.spawn(Ledger.create(persistenceId));
    TestProbe<Ledger.Contents> probe = testKit.createTestProbe();
    ledger.tell(new Ledger.Get(probe.ref()));
    Ledger.Contents contents = probe.receiveMessage(TIMEOUT);
    testKit.stop(ledger);
    return contents;
  }

  private static List<PersistentRepr> events(String persistenceId, long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(seqNr -> PluginProbe.event(persistenceId, seqNr, new Ledger.Appended("event-" + seqNr)))
        .toList();
  }

  private static List<String> entries(String prefix, int count) {
    return IntStream.rangeClosed(1, count).mapToObj(i -> prefix + "/" + i).toList();
  }

  private static List<Long> sequence(long from, long to) {
    return LongStream.rangeClosed(from, to).boxed().toList();
  }

  /** Bound to no serializer, so the journal cannot store it. */
  private static final class NotSerializable {}
}
