package io.layercake.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import com.typesafe.config.ConfigFactory;
import io.layercake.manifest.TagEntity;
import io.layercake.oci.Digest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Persist round trips through the RocksDB journal ({@link io.layercake.persistence.RocksJournal}),
 * in persists per second.
 *
 * <p>Why through an entity rather than the plugin's {@code asyncWriteMessages}: layercake's
 * entities are {@code EventSourcedBehavior}s, and a persist is what their requests wait for. The
 * round trip measured here is the whole of that wait: the command reaches the entity, Akka
 * Persistence sends the events to the journal actor, the journal serializes them (Jackson CBOR,
 * the production binding), writes one {@code WriteBatch} with a synced WAL on the blocking
 * dispatcher, and the entity applies the events and replies. Calling the plugin directly would
 * leave out Akka's share of that wait and measure a path no layercake code takes.
 *
 * <p>The actor system runs a node's configuration (journal plugin, serializers, dispatcher) on a
 * fresh data folder. Each JMH thread owns one {@link EventWriterEntity}, which persists {@code
 * eventsPerPersist} {@link TagEntity.TagResolved} events per operation in a single {@code persist}
 * (one atomic write): 1 is the common case of BlobEntity and TagEntity, 10 stands for a small
 * {@code persistAll}. An operation is one persist, whatever its number of events.
 *
 * <p>One thread measures latency-bound throughput: one fsync per persist. More threads are more
 * entities writing at once, which RocksDB can group into shared WAL syncs; {@code -t 16} shows how
 * far that goes.
 *
 * <p>Run from the repository root (iterations last 3 s; {@code -w} and {@code -r} change that):
 * <pre>
 * mvn -q -B -DskipTests -pl load-tests -am package &amp;&amp; java -cp load-tests/target/load-tests.jar org.openjdk.jmh.Main JournalWriteBenchmark -f 1 -wi 3 -i 5
 * </pre>
 * Append {@code -t 16} for sixteen entities persisting concurrently.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class JournalWriteBenchmark {

  /** How long one persist round trip may take before the benchmark fails. */
  public static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);

  private static final long SEED = 0x70ba11L;
  private static final String MANIFEST_MEDIA_TYPE =
      "application/vnd.oci.image.index.v1+json";

  /** Events persisted per operation, in one atomic write. */
  @Param({"1", "10"})
  public int eventsPerPersist;

  private final AtomicInteger entityCount = new AtomicInteger();
  private Path dataDir;
  private ActorSystem<Void> system;
  private List<TagEntity.Event> events;

  /** Starts a node's actor system on a fresh data folder and makes the events. */
  @Setup(Level.Trial)
  public void start() {
    dataDir = BenchmarkNode.newDataDir("journal");
    system = BenchmarkNode.startSystem("journal-write-benchmark",
        BenchmarkNode.config(dataDir, ConfigFactory.empty()));
    events = new ArrayList<>();
    long at = 1_700_000_000_000L;
    for (Digest digest : SeededContent.digests(eventsPerPersist, SEED)) {
      events.add(new TagEntity.TagResolved(digest.toString(), MANIFEST_MEDIA_TYPE, at++));
    }
  }

  /** Stops the actor system (the journal, then the database) and deletes the data folder. */
  @TearDown(Level.Trial)
  public void stop() {
    try {
      BenchmarkNode.terminate(system);
    } finally {
      BenchmarkNode.deleteDataDir(dataDir);
    }
  }

  /** The entity one JMH thread persists through. */
  @State(Scope.Thread)
  public static class Writer {

    private ActorRef<EventWriterEntity.Command> entity;

    /** Spawns this thread's entity, with a persistence id of its own. */
    @Setup(Level.Trial)
    public void spawn(JournalWriteBenchmark benchmark) {
      String id = "bench-writer-" + benchmark.entityCount.incrementAndGet();
      entity = benchmark.system.systemActorOf(EventWriterEntity.create(id), id, Props.empty());
    }
  }

  /** Persists {@code eventsPerPersist} events and waits for the entity's reply. */
  @Benchmark
  public long persist(Writer writer) throws InterruptedException, ExecutionException {
    return AskPattern.<EventWriterEntity.Command, Long>ask(
            writer.entity,
            replyTo -> new EventWriterEntity.Persist(events, replyTo),
            ASK_TIMEOUT,
            system.scheduler())
        .toCompletableFuture()
        .get();
  }
}
