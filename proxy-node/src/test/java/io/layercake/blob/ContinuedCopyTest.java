package io.layercake.blob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A copy whose source breaks off goes on from exactly the byte where it broke, as often as
 * allowed, and fails once the sources run out.
 */
class ContinuedCopyTest {

  private static final int CHUNK = 1000;
  private static ActorTestKit testKit;
  private static Materializer materializer;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("continued-copy-test", ConfigFactory.parseString("akka.loglevel = OFF"));
    materializer = Materializer.matFromSystem(testKit.system());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aSourceThatBreaksIsContinuedFromTheByteWhereItBroke() throws Exception {
    byte[] blob = randomBytes(10_500);
    List<Long> asked = new ArrayList<>();
    // The first source breaks after 3,000 bytes, the second after 4,000 more, the third finishes.
    Source<ByteString, NotUsed> copy = ContinuedCopy.of(breaking(blob, 0, 3), 3, offset -> {
      asked.add(offset);
      int chunks = asked.size() == 1 ? 4 : Integer.MAX_VALUE;
      return CompletableFuture.completedFuture(breaking(blob, offset, chunks));
    });
    assertArrayEquals(blob, run(copy));
    assertEquals(List.of(3_000L, 7_000L), asked);
  }

  @Test
  void failsOnceTheContinuationsAreSpent() {
    byte[] blob = randomBytes(10_000);
    Source<ByteString, NotUsed> copy = ContinuedCopy.of(breaking(blob, 0, 1), 2,
        offset -> CompletableFuture.completedFuture(breaking(blob, offset, 1)));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> run(copy));
    assertEquals(IOException.class, failed.getCause().getClass());
  }

  @Test
  void aRestThatCannotBeFoundFailsTheCopy() {
    byte[] blob = randomBytes(5_000);
    Source<ByteString, NotUsed> copy = ContinuedCopy.of(breaking(blob, 0, 2), 3,
        offset -> CompletableFuture.failedFuture(new IllegalStateException("no node holds it")));
    ExecutionException failed = assertThrows(ExecutionException.class, () -> run(copy));
    assertEquals("no node holds it", failed.getCause().getMessage());
  }

  @Test
  void skipDropsExactlyTheFirstBytesAcrossChunkBoundaries() throws Exception {
    byte[] blob = randomBytes(5_500);
    for (long count : new long[] {0, 1, 999, 1000, 1001, 5_499, 5_500}) {
      byte[] rest = run(ContinuedCopy.skip(breaking(blob, 0, Integer.MAX_VALUE), count));
      assertArrayEquals(Arrays.copyOfRange(blob, (int) count, blob.length), rest, "skipping " + count);
    }
  }

  /** The blob from {@code offset}, in chunks of {@link #CHUNK}, breaking after {@code chunks} of them. */
  private static Source<ByteString, NotUsed> breaking(byte[] blob, long offset, int chunks) {
    List<ByteString> parts = new ArrayList<>();
    for (int at = (int) offset; at < blob.length && parts.size() < chunks; at += CHUNK) {
      parts.add(ByteString.fromArray(blob, at, Math.min(CHUNK, blob.length - at)));
    }
    if (offset + (long) parts.stream().mapToInt(ByteString::size).sum() < blob.length) {
      // An empty chunk marks the break, so that it comes after the bytes before it (a failed
      // source concatenated would fail the stream at once).
      parts.add(ByteString.emptyByteString());
    }
    return Source.from(parts).map(chunk -> {
      if (chunk.isEmpty()) {
        throw new IOException("connection reset by peer");
      }
      return chunk;
    });
  }

  private static byte[] run(Source<ByteString, NotUsed> source) throws Exception {
    CompletionStage<ByteString> all = source.runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat),
        materializer);
    return all.toCompletableFuture().get(10, TimeUnit.SECONDS).toArray();
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
