package io.layercake.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.layercake.blob.BlobFill;
import io.layercake.blob.BlobFills;
import io.layercake.blob.FileRangeSource;
import io.layercake.blob.BlobSettings;
import io.layercake.oci.Digest;
import io.layercake.storage.BlobStore;
import io.layercake.storage.BlobWriter;
import io.layercake.storage.NodeDatabaseExtension;
import io.layercake.storage.StorageSettings;
import io.layercake.storage.StoredBlob;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.List;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of checking a blob's sha256 while it streams to disk in a fill, in MiB/s: one
 * operation is one MiB, so JMH's {@code ops/s} column reads as MiB/s.
 *
 * <p>Every benchmark streams the same {@value #BLOB_MIB} MiB of seeded bytes, cut into chunks of
 * {@code chunkKiB} KiB held as Akka {@link ByteString}s, the form an HTTP entity stream delivers
 * (Akka HTTP's client chunks are usually 8 to 64 KiB; 256 KiB shows the trend):
 * <ul>
 *   <li>{@code sha256}: the hash alone, fed each chunk's read-only buffers exactly as {@link
 *       BlobWriter} and the upstream body verifier feed it. The floor of any verifying path.
 *   <li>{@code sha256OfArrays}: the same hash fed the backing array directly. The difference to
 *       {@code sha256} is the copy {@link MessageDigest} makes of a buffer that hides its array.
 *   <li>{@code writeAndAbort}: {@link BlobWriter#write} of every chunk (hash, then write to the
 *       temp file, which lands in the page cache), then {@link BlobWriter#abort}: what a fill costs
 *       per byte while it streams.
 *   <li>{@code writeAndCommit}: the same, then {@link BlobWriter#commit}: size and digest check,
 *       fsync, atomic rename into {@code blobs/}, synced index write. One stored blob, durable.
 *   <li>{@code fill}: {@link BlobFill#start} over an in-memory source of the chunks, with the
 *       arguments {@link BlobFills} gives it (the production fill timeout, the blocking dispatcher,
 *       the system materializer), until its completion: the cold fill minus the network.
 * </ul>
 *
 * <p>The committed file is deleted after each invocation, so every commit creates its file as a
 * first fill does. {@link UpstreamFillBenchmark} adds the network and the upstream body verifier.
 *
 * <p>Run from the repository root (iterations last 3 s; {@code -w} and {@code -r} change that):
 * <pre>
 * mvn -q -B -DskipTests -pl load-tests -am package &amp;&amp; java -cp load-tests/target/load-tests.jar org.openjdk.jmh.Main StreamingDigestBenchmark -f 1 -wi 3 -i 5
 * </pre>
 * Add {@code -p chunkKiB=64} to run one chunk size only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class StreamingDigestBenchmark {

  /** Size of the streamed blob, in MiB; also the operations per invocation. */
  public static final int BLOB_MIB = 16;

  private static final int MIB = 1024 * 1024;
  private static final long SEED = 0x1a7e4cafeL;

  /** Size of each chunk the blob arrives in, in KiB. */
  @Param({"8", "64", "256"})
  public int chunkKiB;

  private Path dataDir;
  private ActorSystem<Void> system;
  private BlobStore store;
  private BlobSettings blobSettings;
  private Executor blockingExecutor;
  private Materializer materializer;
  private byte[] blob;
  private Digest digest;
  private List<ByteString> chunks;

  /** Starts a node's actor system and blob store on a fresh data folder, and makes the blob. */
  @Setup(Level.Trial)
  public void start() {
    dataDir = BenchmarkNode.newDataDir("digest");
    Config config = BenchmarkNode.config(dataDir, ConfigFactory.empty());
    system = BenchmarkNode.startSystem("streaming-digest-benchmark", config);
    store = BlobStore.open(StorageSettings.fromConfig(config), NodeDatabaseExtension.get(system),
        Clock.systemUTC());
    blobSettings = BlobSettings.fromConfig(config);
    blockingExecutor = system.dispatchers().lookup(
        DispatcherSelector.fromConfig(BlobFills.BLOCKING_DISPATCHER));
    materializer = Materializer.matFromSystem(system);
    blob = SeededContent.bytes(BLOB_MIB * MIB, SEED);
    MessageDigest sha256 = newSha256();
    sha256.update(blob);
    digest = Digest.ofSha256Bytes(sha256.digest());
    chunks = SeededContent.chunks(blob, chunkKiB * 1024);
  }

  /** Removes the blob committed by the last invocation, so the next commit is a first one. */
  @TearDown(Level.Invocation)
  public void removeCommitted() throws IOException {
    Files.deleteIfExists(store.pathOf(digest));
  }

  /** Stops the actor system (closing the database) and deletes the data folder. */
  @TearDown(Level.Trial)
  public void stop() {
    try {
      BenchmarkNode.terminate(system);
    } finally {
      BenchmarkNode.deleteDataDir(dataDir);
    }
  }

  /** The hash alone, over read-only buffers as the production code hashes. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public byte[] sha256() {
    MessageDigest sha256 = newSha256();
    for (ByteString chunk : chunks) {
      for (ByteBuffer buffer : chunk.getByteBuffers()) {
        sha256.update(buffer);
      }
    }
    return sha256.digest();
  }

  /** The hash alone, over the backing array. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public byte[] sha256OfArrays() {
    MessageDigest sha256 = newSha256();
    int chunkSize = chunkKiB * 1024;
    for (int from = 0; from < blob.length; from += chunkSize) {
      sha256.update(blob, from, Math.min(chunkSize, blob.length - from));
    }
    return sha256.digest();
  }

  /** Streams the blob through a {@link BlobWriter} into its temp file, then drops it. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public long writeAndAbort() throws IOException {
    BlobWriter writer = store.newWriter(digest, blob.length);
    try {
      writeChunks(writer);
      return writer.written();
    } finally {
      writer.abort();
    }
  }

  /** Streams the blob through a {@link BlobWriter} and commits it. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public StoredBlob writeAndCommit() throws IOException {
    BlobWriter writer = store.newWriter(digest, blob.length);
    writeChunks(writer);
    return writer.commit(null);
  }

  /** Runs a {@link BlobFill} over the chunks until it has committed the blob. */
  @Benchmark
  @OperationsPerInvocation(BLOB_MIB)
  public StoredBlob fill() throws InterruptedException, ExecutionException {
    BlobFill fill = BlobFill.start(digest, blob.length, Source.from(chunks),
        store.newWriter(digest, blob.length), blobSettings.fillTimeout(),
        BlobFills.BLOCKING_DISPATCHER, blockingExecutor,
        new FileRangeSource(blobSettings.newReadBudget(), blockingExecutor), materializer);
    return fill.completion().toCompletableFuture().get();
  }

  /** Writes as {@link BlobFill} appends: every buffer of every chunk, in order. */
  private void writeChunks(BlobWriter writer) throws IOException {
    for (ByteString chunk : chunks) {
      for (ByteBuffer buffer : chunk.getByteBuffers()) {
        writer.write(buffer);
      }
    }
  }

  private static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
