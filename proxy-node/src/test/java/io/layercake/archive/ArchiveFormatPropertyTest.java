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
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The archive formats against generated hostile input (HostileArchives): the tar reader and the
 * JSON parsers either read it or refuse it with BLOB_UPLOAD_INVALID, in bounded time, and nothing
 * else ever comes out of them: no other exception, no Error.
 */
class ArchiveFormatPropertyTest {

  private static final Duration BOUND = Duration.ofSeconds(5);

  @Property(tries = 500)
  void next_hostileBytes_readsToTheEndOrRefuses(@ForAll("tarLikeBytes") byte[] bytes) {
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

  @Property(tries = 500)
  void parse_hostileJson_parsesOrRefuses(@ForAll("hostileJson") byte[] json) {
    assertTimeoutPreemptively(BOUND, () -> {
      refusedOrParsed(() -> ArchiveJson.parseIndex(json, bytes -> {}));
      refusedOrParsed(() -> ArchiveJson.parseDockerManifest(json, bytes -> {}));
      refusedOrParsed(() -> ArchiveJson.references(MediaType.OCI_INDEX, json, bytes -> {}));
      refusedOrParsed(() -> ArchiveJson.references(MediaType.OCI_MANIFEST, json, bytes -> {}));
    });
  }

  @Provide
  Arbitrary<byte[]> tarLikeBytes() {
    return HostileArchives.tarLikeBytes();
  }

  @Provide
  Arbitrary<byte[]> hostileJson() {
    return HostileArchives.hostileJson();
  }

  private static void refusedOrParsed(Runnable parse) {
    try {
      parse.run();
    } catch (OciException e) {
      assertEquals(ErrorCode.BLOB_UPLOAD_INVALID, e.code(), e.getMessage());
    }
  }
}
