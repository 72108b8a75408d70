package io.layercake.http;

import io.layercake.Failures;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.function.LongSupplier;

/*
 * Implementation notes
 *
 * Why: a name that upstream does not have is asked for again and again (a CI loop pulling a tag
 * that is not pushed yet, every pull of an image whose layer upstream lost). Without this, each
 * request would start an entity, recover it from the journal and ask upstream. Remembering the
 * answer for a short time makes a repeat cost one map lookup, and no actor at all. Names nobody
 * asks for twice (random digests from a scanner) pass through once each and age out.
 *
 * What is remembered: only answers that say "not there" (BLOB_UNKNOWN, MANIFEST_UNKNOWN,
 * NAME_UNKNOWN, and DENIED, which is how Docker Hub answers for a repository that does not
 * exist). Outages (503, 429, timeouts) are never remembered: the next request must try again.
 *
 * Bound: at most maxEntries, least recently used out first (a LinkedHashMap in access order, as
 * Caffeine's size eviction would do with one segment); an expired entry is dropped when it is
 * next looked up or when it reaches the eldest end. Memory is therefore fixed by maxEntries, not
 * by what clients send: an entry is its key (upstream, repository and digest or tag, at most a
 * few hundred characters, as RepositoryName and Tag limit them) and a small record.
 *
 * Concurrency: one lock around O(1) map operations. Only requests for content this node does not
 * hold reach it (warm blobs and fresh tags are answered before), so it is off the hot path.
 */

/** Upstream's recent "not found" answers, bounded in number and age. */
final class NegativeCache {

  private final long ttlNanos;
  private final int maxEntries;
  private final LongSupplier nanoClock;
  private final LinkedHashMap<String, Answer> answers = new LinkedHashMap<>(256, 0.75f, true);

  /** One remembered answer and when it stops counting ({@link System#nanoTime} scale). */
  private record Answer(ErrorCode code, long expiresAt) {}

  /**
   * A cache that remembers answers for {@code ttl} (zero: nothing is remembered), at most
   * {@code maxEntries} of them, timed by {@code nanoClock} ({@link System#nanoTime} in service).
   */
  NegativeCache(Duration ttl, int maxEntries, LongSupplier nanoClock) {
    if (ttl.isNegative() || maxEntries < 1) {
      throw new IllegalArgumentException("ttl must not be negative and maxEntries at least 1, got "
          + ttl + " and " + maxEntries);
    }
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    this.nanoClock = nanoClock;
  }

  /** Whether {@code code} says the content is not there (as opposed to "cannot say now"). */
  static boolean isNotFound(ErrorCode code) {
    return code == ErrorCode.BLOB_UNKNOWN || code == ErrorCode.MANIFEST_UNKNOWN
        || code == ErrorCode.NAME_UNKNOWN || code == ErrorCode.DENIED;
  }

  /** The code upstream answered for {@code key}, if it said "not found" less than ttl ago. */
  synchronized Optional<ErrorCode> get(String key) {
    Answer answer = answers.get(key);
    if (answer == null) {
      return Optional.empty();
    }
    if (nanoClock.getAsLong() - answer.expiresAt() >= 0) {
      answers.remove(key);
      return Optional.empty();
    }
    return Optional.of(answer.code());
  }

  /** Remembers a failed request's answer for {@code key} if it is a "not found" {@link OciException}. */
  void remember(String key, Throwable error) {
    if (error != null && Failures.unwrap(error) instanceof OciException refused) {
      put(key, refused.code());
    }
  }

  /** Remembers upstream's answer for {@code key} if it is a "not found"; ignores anything else. */
  synchronized void put(String key, ErrorCode code) {
    if (ttlNanos == 0 || !isNotFound(code)) {
      return;
    }
    long now = nanoClock.getAsLong();
    answers.put(key, new Answer(code, now + ttlNanos));
    // From the eldest end: drop what is past the bound or expired, up to the first live entry.
    Iterator<Answer> eldest = answers.values().iterator();
    while (eldest.hasNext()) {
      Answer answer = eldest.next();
      if (answers.size() <= maxEntries && now - answer.expiresAt() < 0) {
        break;
      }
      eldest.remove();
    }
  }

  /** How many answers are held now, expired ones not yet dropped included. */
  synchronized int size() {
    return answers.size();
  }
}
