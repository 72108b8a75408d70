package io.layercake.eviction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.oci.OciException;
import org.junit.jupiter.api.Test;

class ImageNameTest {

  private static final Digest MANIFEST = Digest.parse("sha256:" + "ab".repeat(32));

  @Test
  void parse_dockerForms() {
    assertTrue(ImageName.parse("redis").denotes("library/redis", "latest", MANIFEST));
    assertTrue(ImageName.parse("redis:7").denotes("library/redis", "7", MANIFEST));
    assertTrue(ImageName.parse("docker.io/library/redis:7").denotes("library/redis", "7", MANIFEST));
    assertTrue(ImageName.parse("myorg/app:1").denotes("myorg/app", "1", MANIFEST));
    assertTrue(ImageName.parse("redis@" + MANIFEST).denotes("library/redis", "7", MANIFEST));
    assertTrue(ImageName.parse("abababababab").denotes("any/thing", "x", MANIFEST));
    assertFalse(ImageName.parse("redis:7").denotes("library/redis", "6", MANIFEST));
    assertFalse(ImageName.parse("abababababac").denotes("any/thing", "x", MANIFEST));
  }

  @Test
  void parse_malformed_isOciError() {
    for (String bad : new String[] {"", "UPPER/case", "redis:", "redis@sha256:zz", "a//b", "redis:bad tag"}) {
      assertThrows(OciException.class, () -> ImageName.parse(bad), bad);
    }
  }

  @Test
  void toString_namesTheImage() {
    assertEquals("redis:7", ImageName.parse("redis:7").toString());
  }
}
