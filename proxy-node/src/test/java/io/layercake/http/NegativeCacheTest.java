package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.oci.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NegativeCacheTest {

  private static final Duration TTL = Duration.ofSeconds(60);
  private final AtomicLong now = new AtomicLong(-5_000_000_000L);
  private final NegativeCache cache = new NegativeCache(TTL, 3, now::get);

  @Test
  void get_unknownKey_isEmpty() {
    assertFalse(cache.get("docker-hub/library/redis@sha256:1").isPresent());
  }

  @Test
  void get_withinTtl_returnsTheCode() {
    cache.put("a", ErrorCode.BLOB_UNKNOWN);
    now.addAndGet(TTL.toNanos() - 1);
    assertEquals(Optional.of(ErrorCode.BLOB_UNKNOWN), cache.get("a"));
  }

  @Test
  void get_onceTtlHasPassed_isEmptyAndDropsTheEntry() {
    cache.put("a", ErrorCode.MANIFEST_UNKNOWN);
    now.addAndGet(TTL.toNanos());
    assertFalse(cache.get("a").isPresent());
    assertEquals(0, cache.size());
  }

  @Test
  void put_outagesAndOtherErrors_areNotRemembered() {
    NegativeCache roomy = new NegativeCache(TTL, 100, now::get);
    for (ErrorCode code : ErrorCode.values()) {
      roomy.put(code.name(), code);
    }
    for (ErrorCode code : ErrorCode.values()) {
      assertEquals(NegativeCache.isNotFound(code), roomy.get(code.name()).isPresent(), code.name());
    }
    assertFalse(NegativeCache.isNotFound(ErrorCode.UNAVAILABLE));
    assertFalse(NegativeCache.isNotFound(ErrorCode.TOOMANYREQUESTS));
  }

  @Test
  void put_pastMaxEntries_dropsTheLeastRecentlyUsed() {
    cache.put("a", ErrorCode.BLOB_UNKNOWN);
    cache.put("b", ErrorCode.BLOB_UNKNOWN);
    cache.put("c", ErrorCode.BLOB_UNKNOWN);
    cache.get("a");
    cache.put("d", ErrorCode.BLOB_UNKNOWN);

    assertEquals(3, cache.size());
    assertTrue(cache.get("a").isPresent());
    assertFalse(cache.get("b").isPresent(), "b was used least recently");
    assertTrue(cache.get("c").isPresent());
    assertTrue(cache.get("d").isPresent());
  }

  @Test
  void put_dropsExpiredEntriesAtTheEldestEnd() {
    cache.put("a", ErrorCode.BLOB_UNKNOWN);
    now.addAndGet(TTL.toNanos());
    cache.put("b", ErrorCode.BLOB_UNKNOWN);
    assertEquals(1, cache.size());
  }

  @Test
  void zeroTtl_remembersNothing() {
    NegativeCache off = new NegativeCache(Duration.ZERO, 3, now::get);
    off.put("a", ErrorCode.BLOB_UNKNOWN);
    assertFalse(off.get("a").isPresent());
    assertEquals(0, off.size());
  }

  @Test
  void constructor_invalidBounds_fail() {
    assertThrows(IllegalArgumentException.class, () -> new NegativeCache(Duration.ofSeconds(-1), 3, now::get));
    assertThrows(IllegalArgumentException.class, () -> new NegativeCache(TTL, 0, now::get));
  }

  /**
   * Random puts, gets and clock moves against a reference model (a list in recency order, scanned
   * in full): the cache must answer every get as the model does and never hold more than its bound.
   */
  @Test
  void fuzz_againstReferenceModel() {
    Random random = new Random(10);
    int max = 8;
    long ttl = 100;
    AtomicLong clock = new AtomicLong(Long.MAX_VALUE - 50_000);
    NegativeCache tested = new NegativeCache(Duration.ofNanos(ttl), max, clock::get);
    Model model = new Model(max, ttl);
    for (int step = 0; step < 200_000; step++) {
      String key = "k" + random.nextInt(20);
      switch (random.nextInt(4)) {
        case 0 -> {
          tested.put(key, ErrorCode.BLOB_UNKNOWN);
          model.put(key, clock.get());
        }
        case 1, 2 -> assertEquals(model.get(key, clock.get()), tested.get(key).isPresent(),
            "step " + step + ", key " + key);
        default -> clock.addAndGet(random.nextInt(30));
      }
      assertTrue(tested.size() <= max, "step " + step + ": " + tested.size() + " entries");
    }
  }

  /** The obvious implementation: entries in recency order, eldest first. */
  private static final class Model {
    private final int max;
    private final long ttl;
    private final List<String> order = new ArrayList<>();
    private final Map<String, Long> expiry = new LinkedHashMap<>();

    Model(int max, long ttl) {
      this.max = max;
      this.ttl = ttl;
    }

    void put(String key, long now) {
      order.remove(key);
      order.add(key);
      expiry.put(key, now + ttl);
      while (order.size() > max) {
        expiry.remove(order.remove(0));
      }
    }

    boolean get(String key, long now) {
      Long expiresAt = expiry.get(key);
      if (expiresAt == null) {
        return false;
      }
      order.remove(key);
      if (now - expiresAt >= 0) {
        expiry.remove(key);
        return false;
      }
      order.add(key);
      return true;
    }
  }
}
