package io.layercake.bench;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.layercake.UpstreamName;
import io.layercake.blob.BlobFill;
import io.layercake.blob.BlobFills;
import io.layercake.blob.BlobSettings;
import io.layercake.blob.FileRangeSource;
import io.layercake.oci.Digest;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.BlobStore;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.storage.StorageSettings;
import io.layercake.storage.StoredBlob;
import io.layercake.testkit.FakeRegistry;
import io.layercake.upstream.UpstreamRegistry;
import io.layercake.upstream.Upstreams;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A cold blob fill from an upstream on loopback, in MiB/s: one operation is one MiB, so JMH's
 * {@code ops/s} column reads as MiB/s.
 *
 * <p>The upstream is the testkit's {@link FakeRegistry} on 127.0.0.1, holding {@value #BLOB_MIB}
 * MiB of seeded bytes; the node side is the production client ({@link Upstreams} from a node's
 * configuration pointed at the fake) and the production fill:
 * <ul>
 *   <li>{@code verifiedBody}: {@link UpstreamRegistry#fetchBlob} and its whole body, which streams
 *       through the upstream body verifier (length, sha256, stall timer) into a sink that drops
 *       it. The network side of a fill, with one hash.
 *   <li>{@code fill}: the same body run into {@link BlobFill#start} as {@link BlobFills} runs it,
 *       until the blob is committed. The cold fill as a node does it, with its two hashes: the
 *       verifier's and the {@link io.layercake.storage.BlobWriter}'s.
 * </ul>
 *
 * <p>The fake runs in the same JVM and takes its share of the CPU (it copies the body through a
 * 64 KiB buffer into a socket), so these are the node's numbers on a machine that also serves the
 * bytes. {@link StreamingDigestBenchmark} measures the hashing and writing without the network.
 *
 * <p>Run from the repository root (iterations last 3 s; {@code -w} and {@code -r} change that):
 * <pre>
 * mvn -q -B -DskipTests -pl load-tests -am package &amp;&amp; java -cp load-tests/target/load-tests.jar org.openjdk.jmh.Main UpstreamFillBenchmark -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class UpstreamFillBenchmark {

  /** Size of the fetched blob, in MiB; also the operations per invocation. */
  public static final int BLOB_MIB = 16;

  private static final int MIB = 1024 * 1024;
  private static final long SEED = 0xf111L;
  private static final String UPSTREAM = "docker-hub";
  private static final RepositoryName REPOSITORY = RepositoryName.parse("library/benchmark");

  private Path dataDir;
  private FakeRegistry fake;
  private ActorSystem<Void> system;
  private UpstreamRegistry upstream;
  private BlobStore store;
  private BlobSettings blobSettings;
  private Executor blockingExecutor;
  private Materializer materializer;
  private Digest digest;
  private long size;

  /** Starts the fake upstream with the blob, and a node's actor system, client and store. */
  @Setup(Level.Trial)
  public void start() {
    fake = FakeRegistry.start();
    byte[] blob = SeededContent.bytes(BLOB_MIB * MIB, SEED);
    digest = Digest.parse(fake.putBlob(REPOSITORY.value(), blob));
    size = blob.length;
    dataDir = BenchmarkNode.newDataDir("upstream-fill");
    Config config = BenchmarkNode.config(dataDir, ConfigFactory.empty()
        .withValue("layercake.upstreams." + UPSTREAM + ".url", ConfigValueFactory.fromAnyRef(fake.url()))
        .withValue("layercake.default-upstream", ConfigValueFactory.fromAnyRef(UPSTREAM)));
    system = BenchmarkNode.startSystem("upstream-fill-benchmark", config);
    upstream = Upstreams.fromConfig(system, config).get(UpstreamName.of(UPSTREAM));
    store = BlobStore.open(StorageSettings.fromConfig(config), NodeDatabaseExtension.get(system),
        Clock.systemUTC());
    blobSettings = BlobSettings.fromConfig(config);
    blockingExecutor = system.dispatchers().lookup(
        DispatcherSelector.fromConfig(BlobFills.BLOCKING_DISPATCHER));
    materializer = Materializer.matFromSystem(system);
  }

  /** Removes the blob committed by the last invocation, so the next fill is a first one. */
  @TearDown(Level.Invocation)
  public void removeCommitted() throws IOException {
    Files.deleteIfExists(store.pathOf(digest));
  }

  /** Stops the actor system, the fake, and deletes the data folder. */
  @TearDown(Level.Trial)
  public void stop() {
    try {
      BenchmarkNode.terminate(system);
    } finally {
      try {
        if (fake != null) {
          fake.close();
        }
      } finally {
        BenchmarkNode.deleteDataDir(dataDir);
      }
    }
  }

  /** Fetches the blob and reads its verified body to the end. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public Done verifiedBody() throws InterruptedException, ExecutionException {
    return upstream.fetchBlob(REPOSITORY, digest)
        .thenCompose(blob -> blob.body().runWith(Sink.ignore(), materializer))
        .toCompletableFuture()
        .get();
  }

  /** Fetches the blob and fills the store with it until it is committed. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public StoredBlob fill() throws InterruptedException, ExecutionException {
    return upstream.fetchBlob(REPOSITORY, digest)
        .thenCompose(blob -> BlobFill.start(digest, size, blob.body(), store.newWriter(digest, size),
            blobSettings.fillTimeout(), BlobFills.BLOCKING_DISPATCHER, blockingExecutor,
            new FileRangeSource(blobSettings.newReadBudget(), blockingExecutor), materializer).completion())
        .toCompletableFuture()
        .get();
  }
}
