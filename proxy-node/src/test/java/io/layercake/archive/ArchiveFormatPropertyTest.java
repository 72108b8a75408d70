package io.layercake.archive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The archive formats against generated hostile input (HostileArchives): the tar reader and the
 * JSON parsers either read it or refuse it with BLOB_UPLOAD_INVALID, in bounded time, and nothing
 * else ever comes out of them: no other exception, no Error. Each try draws its input from a
 * seeded {@link Random}, so a failure names the seed that reproduces it.
 */
class ArchiveFormatPropertyTest {

  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final int TRIES = 500;

  @Test
  void next_hostileBytes_readToTheEndOrRefused() {
    for (int seed = 0; seed < TRIES; seed++) {
      byte[] bytes = HostileArchives.tarLikeBytes(new Random(seed));
      try {
        readAll(bytes);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void parse_hostileJson_parsedOrRefused() {
    for (int seed = 0; seed < TRIES; seed++) {
      byte[] json = HostileArchives.hostileJson(new Random(seed));
      try {
        parseAll(json);
      } catch (AssertionError | RuntimeException e) {
        throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
      }
    }
  }

  private static void readAll(byte[] bytes) {
    assertTimeoutPreemptively(BOUND, () -> {
      try {
        TarReader reader = new TarReader(new ByteArrayInputStream(bytes));
        for (Optional<TarEntry> entry = reader.next(); entry.isPresent(); entry = reader.next()) {
          if (entry.get().size() < 1 << 20) {
            reader.content().readAllBytes();
          }
        }
      } catch (OciException e) {
        assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, e.code(), e.getMessage());
      } catch (IOException e) {
        throw new AssertionError("a byte array cannot fail to read", e);
      }
    });
  }

  private static void parseAll(byte[] json) {
    assertTimeoutPreemptively(BOUND, () -> {
      refusedOrParsed(() -> ArchiveJson.parseIndex(json, bytes -> {}));
      refusedOrParsed(() -> ArchiveJson.parseDockerManifest(json, bytes -> {}));
      refusedOrParsed(() -> ArchiveJson.references(MediaType.OCI_INDEX, json, bytes -> {}));
      refusedOrParsed(() -> ArchiveJson.references(MediaType.OCI_MANIFEST, json, bytes -> {}));
    });
  }

  private static void refusedOrParsed(Runnable parse) {
    try {
      parse.run();
    } catch (OciException e) {
      assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, e.code(), e.getMessage());
    }
  }
}
