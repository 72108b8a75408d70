package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class VerifiedCacheTest {

  private static final HtpasswdUsers VERSION = HtpasswdUsers.parse(List.of("alice:" + BcryptHashTest.ALICE));
  private final ManualClock clock = new ManualClock();

  @Test
  void verifiedUser_rememberedUntilTheTtlEnds() {
    VerifiedCache cache = new VerifiedCache(Duration.ofMinutes(5), 10, clock);
    VerifiedCache.Key key = cache.key("alice", "alice-secret");

    assertEquals(Optional.empty(), cache.verifiedUser(key, VERSION));
    cache.remember(key, "alice", VERSION);
    clock.advance(Duration.ofMinutes(5).minusMillis(1));
    assertEquals(Optional.of("alice"), cache.verifiedUser(cache.key("alice", "alice-secret"), VERSION));

    clock.advance(Duration.ofMillis(1));
    assertEquals(Optional.empty(), cache.verifiedUser(key, VERSION));
    assertEquals(0, cache.size(), "an expired entry is dropped when found");
  }

  @Test
  void key_differsForAnyChangeOfUserOrPassword() {
    VerifiedCache cache = new VerifiedCache(Duration.ofMinutes(5), 10, clock);

    assertEquals(cache.key("alice", "pw"), cache.key("alice", "pw"));
    assertNotEquals(cache.key("alice", "pw"), cache.key("alice", "pw "));
    assertNotEquals(cache.key("alice", "pw"), cache.key("alicf", "pw"));
    assertNotEquals(cache.key("alice", "pw"), new VerifiedCache(Duration.ofMinutes(5), 10, clock).key("alice", "pw"),
        "each cache has its own random key");
    assertEquals("Key[<hidden>]", cache.key("alice", "pw").toString());
  }

  @Test
  void verifiedUser_onlyForTheVersionItWasVerifiedAgainst() {
    VerifiedCache cache = new VerifiedCache(Duration.ofMinutes(5), 10, clock);
    VerifiedCache.Key key = cache.key("alice", "alice-secret");
    cache.remember(key, "alice", VERSION);

    HtpasswdUsers reloaded = HtpasswdUsers.parse(List.of("alice:" + BcryptHashTest.ALICE));

    assertEquals(Optional.empty(), cache.verifiedUser(key, reloaded));
  }

  @Test
  void remember_zeroTtlRemembersNothing() {
    VerifiedCache cache = new VerifiedCache(Duration.ZERO, 10, clock);
    VerifiedCache.Key key = cache.key("alice", "alice-secret");

    cache.remember(key, "alice", VERSION);

    assertEquals(Optional.empty(), cache.verifiedUser(key, VERSION));
    assertEquals(0, cache.size());
  }

  @Test
  void remember_boundedDropsExpiredFirstThenAny() {
    VerifiedCache cache = new VerifiedCache(Duration.ofMinutes(5), 3, clock);
    cache.remember(cache.key("old", "pw"), "old", VERSION);
    clock.advance(Duration.ofMinutes(4));
    cache.remember(cache.key("a", "pw"), "a", VERSION);
    cache.remember(cache.key("b", "pw"), "b", VERSION);
    clock.advance(Duration.ofMinutes(1));

    cache.remember(cache.key("c", "pw"), "c", VERSION);
    assertEquals(3, cache.size());
    assertTrue(cache.verifiedUser(cache.key("a", "pw"), VERSION).isPresent(), "only the expired one went");
    assertTrue(cache.verifiedUser(cache.key("c", "pw"), VERSION).isPresent());

    for (int i = 0; i < 20; i++) {
      cache.remember(cache.key("user" + i, "pw"), "user" + i, VERSION);
      assertTrue(cache.size() <= 3, "size " + cache.size());
    }
    assertTrue(cache.verifiedUser(cache.key("user19", "pw"), VERSION).isPresent(), "the newest is kept");
  }

  @Test
  void clear_forgetsEverything() {
    VerifiedCache cache = new VerifiedCache(Duration.ofMinutes(5), 10, clock);
    cache.remember(cache.key("alice", "pw"), "alice", VERSION);

    cache.clear();

    assertFalse(cache.verifiedUser(cache.key("alice", "pw"), VERSION).isPresent());
  }
}
