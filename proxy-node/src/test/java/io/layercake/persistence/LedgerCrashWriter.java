package io.layercake.persistence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM that a test kills with SIGKILL while it writes: its main persists batches for
 * several ledgers as fast as it can and prints {@code ACKED <persistenceId> <sequenceNr>} to
 * standard output after each batch is stored; {@link #killAfterBatches} runs and kills it.
 */
final class LedgerCrashWriter {

  private static final String ACKED = "ACKED";
  private static final int BATCHES_BEFORE_KILL = 10;
  private static final long START_TIMEOUT_SECONDS = 60;
  private static final long EXIT_TIMEOUT_SECONDS = 30;

  private LedgerCrashWriter() {}

  /** Arguments: the data folder, the number of ledgers, the number of events per batch. Runs until killed. */
  public static void main(String[] args) {
    Path dataDir = Path.of(args[0]);
    int ledgers = Integer.parseInt(args[1]);
    int batchSize = Integer.parseInt(args[2]);
    ActorSystem.create(writers(ledgers, batchSize), "crash-writer", TestConfigs.forDataDir(dataDir));
  }

  /** Persistence id of ledger number {@code index}. */
  static String persistenceId(int index) {
    return "crash-" + index;
  }

  /**
   * Starts a writer JVM on {@code dataDir}, waits until each ledger has stored some more batches,
   * then SIGKILLs it: no shutdown hook runs and RocksDB is not closed. Records in
   * {@code acknowledged} the highest sequence number the writer reported stored, per ledger.
   */
  static void killAfterBatches(
      Path dataDir, Path stderr, int ledgers, int batchSize, Map<String, Long> acknowledged)
      throws IOException, InterruptedException {
    Process writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                LedgerCrashWriter.class.getName(),
                dataDir.toString(),
                Integer.toString(ledgers),
                Integer.toString(batchSize))
            .redirectError(stderr.toFile())
            .start();
    CountDownLatch everyLedgerWrote = new CountDownLatch(ledgers);
    Thread reader = new Thread(() -> readAcks(writer.getInputStream(), acknowledged, everyLedgerWrote));
    reader.setDaemon(true);
    reader.start();
    try {
      assertTrue(
          everyLedgerWrote.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS),
          "The writer stored too few batches; its stderr: " + Files.readString(stderr));
    } finally {
      writer.destroyForcibly();
      assertTrue(writer.waitFor(EXIT_TIMEOUT_SECONDS, TimeUnit.SECONDS), "The killed writer did not exit");
      reader.join(TimeUnit.SECONDS.toMillis(EXIT_TIMEOUT_SECONDS));
    }
  }

  private static void readAcks(InputStream stdout, Map<String, Long> acknowledged, CountDownLatch latch) {
    Map<String, Integer> batches = new HashMap<>();
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String[] fields = line.split(" ");
        if (fields.length == 3 && fields[0].equals(ACKED)) {
          acknowledged.merge(fields[1], Long.parseLong(fields[2]), Math::max);
          if (batches.merge(fields[1], 1, Integer::sum) == BATCHES_BEFORE_KILL) {
            latch.countDown();
          }
        }
      }
    } catch (IOException e) {
      // The pipe breaks when the writer is killed; every line read before that is recorded.
    }
  }

  private static Behavior<Void> writers(int ledgers, int batchSize) {
    return Behaviors.setup(
        context -> {
          ActorRef<Ledger.Acked> printer = context.spawn(printer(), "printer");
          for (int i = 0; i < ledgers; i++) {
            ActorRef<Ledger.Command> ledger =
                context.spawn(Ledger.create(persistenceId(i)), persistenceId(i));
            ledger.tell(new Ledger.AppendForever(batchSize, printer));
          }
          return Behaviors.empty();
        });
  }

  private static Behavior<Ledger.Acked> printer() {
    return Behaviors.receiveMessage(
        acked -> {
          System.out.println(ACKED + " " + acked.persistenceId() + " " + acked.sequenceNr());
          return Behaviors.same();
        });
  }
}
