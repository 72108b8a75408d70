package io.layercake.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @ParameterizedTest
  @CsvSource({
      "redis, docker.io/library/redis:latest, redis:latest",
      "redis:7, docker.io/library/redis:7, redis:7",
      "library/redis:7, docker.io/library/redis:7, redis:7",
      "docker.io/redis:7, docker.io/library/redis:7, redis:7",
      "index.docker.io/library/redis, docker.io/library/redis:latest, redis:latest",
      "bitnami/redis:7.2, docker.io/bitnami/redis:7.2, bitnami/redis:7.2",
      "ghcr.io/org/app:1, ghcr.io/org/app:1, ghcr.io/org/app:1",
      "localhost/app, localhost/app:latest, localhost/app:latest",
      "127.0.0.1:5000/library/x:tag, 127.0.0.1:5000/library/x:tag, 127.0.0.1:5000/library/x:tag",
      "library/a/b:1, docker.io/library/a/b:1, library/a/b:1"})
  void parse_normalisesLikeDocker(String text, String full, String familiar) {
    ImageReference reference = ImageReference.parse(text);

    assertEquals(full, reference.toString());
    assertEquals(familiar, reference.familiar());
  }

  @Test
  void parse_digestOnly() {
    ImageReference reference = ImageReference.parse("redis@" + DIGEST);

    assertEquals("library/redis", reference.repository().value());
    assertEquals(Optional.empty(), reference.tag());
    assertEquals(new Reference.ByDigest(Digest.parse(DIGEST)), reference.reference());
    assertEquals("redis@" + DIGEST, reference.familiar());
  }

  @Test
  void parse_tagAndDigest_digestWins() {
    ImageReference reference = ImageReference.parse("redis:7@" + DIGEST);

    assertEquals("7", reference.tag().orElseThrow().value());
    assertTrue(reference.reference() instanceof Reference.ByDigest);
  }

  @Test
  void parse_portIsNotATag() {
    ImageReference reference = ImageReference.parse("localhost:5000/app");

    assertEquals("localhost:5000", reference.domain());
    assertEquals("latest", reference.tag().orElseThrow().value());
    assertFalse(reference.isDockerHub());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "Redis", "redis:", "redis:bad tag", ":7", "redis@sha256:xyz", "redis@",
      "/redis", "redis/", "a//b", " redis", "redis:7:8", "docker.io/"})
  void parse_malformed_throwsNamingInput(String text) {
    OciException error = assertThrows(OciException.class, () -> ImageReference.parse(text));

    assertEquals(400, error.code().status(), error.getMessage());
  }

  @Test
  void parse_null_throws() {
    assertThrows(OciException.class, () -> ImageReference.parse(null));
  }
}
