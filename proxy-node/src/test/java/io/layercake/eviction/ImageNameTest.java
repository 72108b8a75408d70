package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.OciException;
import org.junit.jupiter.api.Test;

class ImageNameTest {

  private static final Digest MANIFEST = Digest.parse("sha256:" + "ab".repeat(32));
  private static final UpstreamName HUB = UpstreamName.of("docker-hub");
  private static final UpstreamName GHCR = UpstreamName.of("ghcr");

  private static ImageName parse(String text) {
    return ImageName.parse(text, reference -> reference.isDockerHub() ? HUB : GHCR);
  }

  @Test
  void parse_dockerForms() {
    assertTrue(parse("redis").denotes(HUB, "library/redis", "latest", MANIFEST));
    assertTrue(parse("redis:7").denotes(HUB, "library/redis", "7", MANIFEST));
    assertTrue(parse("docker.io/library/redis:7").denotes(HUB, "library/redis", "7", MANIFEST));
    assertTrue(parse("myorg/app:1").denotes(HUB, "myorg/app", "1", MANIFEST));
    assertTrue(parse("redis@" + MANIFEST).denotes(HUB, "library/redis", "7", MANIFEST));
    assertTrue(parse("abababababab").denotes(GHCR, "any/thing", "x", MANIFEST));
    assertFalse(parse("redis:7").denotes(HUB, "library/redis", "6", MANIFEST));
    assertFalse(parse("abababababac").denotes(HUB, "any/thing", "x", MANIFEST));
  }

  @Test
  void reference_namesOneUpstreamsImage() {
    assertTrue(parse("ghcr.io/myorg/app:1").denotes(GHCR, "myorg/app", "1", MANIFEST));
    assertFalse(parse("ghcr.io/myorg/app:1").denotes(HUB, "myorg/app", "1", MANIFEST));
    assertFalse(parse("myorg/app:1").denotes(GHCR, "myorg/app", "1", MANIFEST));
    // A pin recorded before pins named their upstream covers the name from any.
    assertTrue(parse("myorg/app:1").denotes(null, "myorg/app", "1", MANIFEST));
  }

  @Test
  void parse_malformed_isOciError() {
    for (String bad : new String[] {"", "UPPER/case", "redis:", "redis@sha256:zz", "a//b", "redis:bad tag"}) {
      assertThrows(OciException.class, () -> parse(bad), bad);
    }
  }

  @Test
  void toString_namesTheImageAsWritten() {
    assertEquals("redis:7", parse("redis:7").toString());
    assertEquals("ghcr.io/myorg/app:1", parse("ghcr.io/myorg/app:1").toString());
  }
}
