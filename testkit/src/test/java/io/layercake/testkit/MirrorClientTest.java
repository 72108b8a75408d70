package io.layercake.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The retrying client the cluster tests pull with, checked against the fake registry alone. */
class MirrorClientTest {

  private static final MirrorClient.Policy QUICK = new MirrorClient.Policy(
      4, Duration.ofSeconds(10), Duration.ofMillis(10), Duration.ofMillis(50));

  @Test
  void pull_deadMirrorAndOne503_failsOverToTheLiveMirrorAndRetries() throws Exception {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 77, 1000, 2000);
    try (FakeRegistry fake = FakeRegistry.start()) {
      FakeImages.publish(fake, "library/mirror", "1", image);
      fake.inject(Fault.status(503), "/blobs/", 1);
      String dead = "http://127.0.0.1:" + FreePorts.next();
      MirrorClient client = new MirrorClient(List.of(dead, fake.url()), QUICK);

      client.pull("library/mirror", "1", image, 1).get(30, TimeUnit.SECONDS);

      // Every failure moves to the next mirror: the 503 sends the client back to the dead one once.
      List<String> failures = client.failures();
      assertEquals(3, failures.size(), failures.toString());
      assertTrue(failures.get(0).startsWith("GET " + dead) && failures.get(0).endsWith("connection refused"),
          failures.toString());
      assertTrue(failures.get(1).startsWith("GET " + fake.url()) && failures.get(1).contains("status 503"),
          failures.toString());
      assertTrue(failures.get(2).endsWith("connection refused"), failures.toString());
      assertEquals(image.blobs().size() + 1 + failures.size(), client.attempts());
      assertEquals(0, client.wrongBodies());
    }
  }

  @Test
  void getBlob_wrongBytesEveryTime_failsAfterMaxAttemptsAndCountsThem() throws Exception {
    Image image = TestImage.singlePlatform(ImageFormat.OCI, 78, 1000);
    try (FakeRegistry fake = FakeRegistry.start()) {
      FakeImages.publish(fake, "library/wrong", "1", image);
      fake.inject(Fault.wrongBytes(), "/blobs/", FakeRegistry.FOREVER);
      MirrorClient client = new MirrorClient(List.of(fake.url()), QUICK);
      String digest = image.blobs().get(0).digest();

      ExecutionException failed = assertThrows(ExecutionException.class,
          () -> client.getBlob("library/wrong", digest).get(30, TimeUnit.SECONDS));

      assertInstanceOf(AssertionError.class, failed.getCause());
      assertEquals(QUICK.maxAttempts(), client.attempts());
      assertEquals(QUICK.maxAttempts(), client.wrongBodies());
    }
  }
}
