package io.layercake.http;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.function.LongSupplier;

/*
 * Implementation notes
 *
 * Bound: at most maxEntries, least recently used out first (a LinkedHashMap in access order, as
 * Caffeine's size eviction would do with one segment); an expired entry is dropped when it is
 * next looked up or when it reaches the eldest end. Memory is therefore fixed by maxEntries and
 * by what a caller lets one value weigh, not by what clients send.
 *
 * Concurrency: one lock around O(1) map operations. Its users sit behind the warm paths (a blob
 * or a fresh tag is answered before them), so the lock is off the hot path.
 */

/**
 * Answers remembered for a short time: a map bounded in number and in age.
 *
 * @param <V> what is remembered for a key
 */
final class ExpiringCache<V> {

  private final long ttlNanos;
  private final int maxEntries;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Entry<V>> entries = new LinkedHashMap<>(256, 0.75f, true);

  /** One remembered value and when it stops counting ({@link System#nanoTime} scale). */
  private record Entry<V>(V value, long expiresAt) {}

  /**
   * A cache that remembers values for {@code ttl} (zero: nothing is remembered), at most
   * {@code maxEntries} of them, timed by {@code nanoClock} ({@link System#nanoTime} in service).
   */
  ExpiringCache(Duration ttl, int maxEntries, LongSupplier nanoClock) {
    if (ttl.isNegative() || maxEntries < 1) {
      throw new IllegalArgumentException("ttl must not be negative and maxEntries at least 1, got "
          + ttl + " and " + maxEntries);
    }
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    this.nanoClock = nanoClock;
  }

  /** The value remembered for {@code key} less than ttl ago. */
  synchronized Optional<V> get(String key) {
    Entry<V> entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (nanoClock.getAsLong() - entry.expiresAt() >= 0) {
      entries.remove(key);
      return Optional.empty();
    }
    return Optional.of(entry.value());
  }

  /** Remembers {@code value} for {@code key}, for ttl from now. */
  synchronized void put(String key, V value) {
    if (ttlNanos == 0) {
      return;
    }
    long now = nanoClock.getAsLong();
    entries.put(key, new Entry<>(value, now + ttlNanos));
    // From the eldest end: drop what is past the bound or expired, up to the first live entry.
    Iterator<Entry<V>> eldest = entries.values().iterator();
    while (eldest.hasNext()) {
      Entry<V> entry = eldest.next();
      if (entries.size() <= maxEntries && now - entry.expiresAt() < 0) {
        break;
      }
      eldest.remove();
    }
  }

  /** How many values are held now, expired ones not yet dropped included. */
  synchronized int size() {
    return entries.size();
  }
}
