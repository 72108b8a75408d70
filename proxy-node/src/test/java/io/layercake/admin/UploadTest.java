package io.layercake.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.stream.javadsl.StreamConverters;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The upload's stream, through Akka's stream-to-InputStream bridge as the endpoint builds it: a
 * body that stops arriving frees the reader within the idle timeout, and nothing waits for it again.
 */
class UploadTest {

  private static final Duration IDLE = Duration.ofMillis(300);
  private static ActorTestKit testKit;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create("upload-test", ConfigFactory.parseString("akka.loglevel = WARNING"));
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @Test
  void read_bodyStalls_400WithinTheIdleTimeoutAndMarkedBroken() {
    Upload upload = upload(Source.single(ByteString.fromArray(new byte[4096])).concat(Source.maybe()));
    byte[] buffer = new byte[8192];
    assertEquals(4096, upload.read(buffer, 0, buffer.length));

    long start = System.nanoTime();
    OciException error = assertThrows(OciException.class, () -> upload.read(buffer, 0, buffer.length));
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, error.code());
    assertTrue(error.getMessage().contains("layercake.admin.images.upload-idle-timeout"), error.getMessage());
    assertTrue(waited.compareTo(IDLE.multipliedBy(5)) < 0, "freed after " + waited);
    assertTrue(upload.broken());
  }

  @Test
  void drain_afterAStall_returnsAtOnce() {
    Upload upload = upload(Source.maybe());
    assertThrows(OciException.class, () -> upload.read(new byte[10], 0, 10));

    long start = System.nanoTime();
    boolean reachedEnd = upload.drain();

    assertFalse(reachedEnd);
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(IDLE) < 0, "a broken upload is not waited for");
  }

  @Test
  void drain_clientSendsWithoutEnd_givesUpAfterAboutTheIdleTimeout() {
    long start = System.nanoTime();
    boolean reachedEnd;
    try (Upload upload = upload(Source.repeat(ByteString.fromArray(new byte[64 * 1024])))) {
      reachedEnd = upload.drain();
    }
    Duration drained = Duration.ofNanos(System.nanoTime() - start);

    assertFalse(reachedEnd);
    assertTrue(drained.compareTo(IDLE.multipliedBy(5)) < 0, "drained for " + drained);
  }

  @Test
  void drain_restArrives_readsToTheEnd() {
    Upload upload = upload(Source.from(List.of(ByteString.fromString("abc"), ByteString.fromString("def"))));
    byte[] first = new byte[3];
    assertEquals(3, upload.read(first, 0, 3));
    assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), first);

    assertTrue(upload.drain());
  }

  private static Upload upload(Source<ByteString, ?> body) {
    return new Upload(body.runWith(StreamConverters.asInputStream(IDLE), Materializer.matFromSystem(testKit.system())),
        IDLE);
  }
}
