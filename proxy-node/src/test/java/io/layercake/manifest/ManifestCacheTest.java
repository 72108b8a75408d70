package io.layercake.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.Digest;
import io.layercake.oci.ManifestContent;
import io.layercake.testkit.Sha256;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ManifestCacheTest {

  private static ManifestContent manifest(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return new ManifestContent(Digest.parse(Sha256.digest(bytes)), "application/vnd.oci.image.manifest.v1+json", bytes);
  }

  @Test
  void get_afterPut_returnsTheSameBytes() {
    ManifestCache cache = new ManifestCache(1024);
    ManifestContent one = manifest("{\"one\":1}");
    cache.put(one);
    assertEquals(one, cache.get(one.digest()).orElseThrow());
    assertEquals(one.bytes().length, cache.bytes());
  }

  @Test
  void put_pastTheBound_dropsTheLeastRecentlyUsed() {
    ManifestContent a = manifest("a".repeat(40));
    ManifestContent b = manifest("b".repeat(40));
    ManifestContent c = manifest("c".repeat(40));
    ManifestCache cache = new ManifestCache(100);
    cache.put(a);
    cache.put(b);
    cache.get(a.digest());
    cache.put(c);
    assertTrue(cache.get(a.digest()).isPresent(), "a was used after b");
    assertFalse(cache.get(b.digest()).isPresent(), "b was the least recently used");
    assertTrue(cache.get(c.digest()).isPresent());
    assertEquals(80, cache.bytes());
  }

  @Test
  void put_largerThanTheBound_isNotKept() {
    ManifestCache cache = new ManifestCache(10);
    ManifestContent big = manifest("x".repeat(11));
    cache.put(big);
    assertFalse(cache.get(big.digest()).isPresent());
    assertEquals(0, cache.bytes());
  }

  @Test
  void put_twice_countsTheBytesOnce() {
    ManifestCache cache = new ManifestCache(1000);
    ManifestContent one = manifest("{}");
    cache.put(one);
    cache.put(one);
    assertEquals(2, cache.bytes());
  }

  @Test
  void zeroBound_keepsNothing_negativeIsRefused() {
    ManifestCache off = new ManifestCache(0);
    ManifestContent one = manifest("{}");
    off.put(one);
    assertFalse(off.get(one.digest()).isPresent());
    assertThrows(IllegalArgumentException.class, () -> new ManifestCache(-1));
  }
}
