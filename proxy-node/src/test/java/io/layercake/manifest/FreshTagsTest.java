package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.ManifestContent;
import io.layercake.testkit.Sha256;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FreshTagsTest {

  private static final long TTL = 300_000;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final FreshTags tags = new FreshTags((upstream, tag) -> TTL, now::get);
  private final ManifestContent manifest = manifest("{\"schemaVersion\":2}");

  private static ManifestContent manifest(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new ManifestContent(Digest.parse(Sha256.digest(bytes)), "application/vnd.oci.image.manifest.v1+json", bytes);
  }

  @Test
  void get_withinTheTtlSinceValidation_returnsTheAnswer() {
    tags.put(UpstreamName.of("docker-hub"), "library/redis", "7", manifest, now.get() - 1000);
    now.addAndGet(TTL - 1001);
    assertEquals(manifest, tags.get(UpstreamName.of("docker-hub"), "library/redis", "7").orElseThrow());
  }

  @Test
  void get_onceTheTtlSinceValidationHasPassed_isEmpty() {
    tags.put(UpstreamName.of("docker-hub"), "library/redis", "7", manifest, now.get() - 1000);
    now.addAndGet(TTL - 1000);
    assertFalse(tags.get(UpstreamName.of("docker-hub"), "library/redis", "7").isPresent());
  }

  @Test
  void put_ofAnAnswerAlreadyPastItsTtl_keepsNothing() {
    tags.put(UpstreamName.of("docker-hub"), "library/redis", "7", manifest, now.get() - TTL);
    assertFalse(tags.get(UpstreamName.of("docker-hub"), "library/redis", "7").isPresent());
  }

  @Test
  void get_keysOnUpstreamRepositoryAndTag() {
    tags.put(UpstreamName.of("docker-hub"), "library/redis", "7", manifest, now.get());
    assertFalse(tags.get(UpstreamName.of("docker-hub"), "library/redis", "8").isPresent());
    assertFalse(tags.get(UpstreamName.of("docker-hub"), "library/redi", "s:7").isPresent());
    assertFalse(tags.get(UpstreamName.of("ghcr"), "library/redis", "7").isPresent());
  }

  @Test
  void zeroTtl_neverKeepsAnAnswer() {
    FreshTags always = new FreshTags((upstream, tag) -> 0, now::get);
    always.put(UpstreamName.of("docker-hub"), "library/redis", "7", manifest, now.get());
    assertFalse(always.get(UpstreamName.of("docker-hub"), "library/redis", "7").isPresent());
  }
}
