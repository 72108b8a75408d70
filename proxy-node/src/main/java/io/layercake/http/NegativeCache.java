package io.layercake.http;

import io.layercake.Failures;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
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
 * Bound: see ExpiringCache. An entry is its key (upstream, repository and digest or tag, at
 * most a few hundred characters, as RepositoryName and Tag limit them) and a code, so memory is
 * fixed by maxEntries.
 */

/** Upstream's recent "not found" answers, bounded in number and age. */
final class NegativeCache {

  private final ExpiringCache<ErrorCode> answers;

  /**
   * A cache that remembers answers for {@code ttl} (zero: nothing is remembered), at most
   * {@code maxEntries} of them, timed by {@code nanoClock} ({@link System#nanoTime} in service).
   */
  NegativeCache(Duration ttl, int maxEntries, LongSupplier nanoClock) {
    this.answers = new ExpiringCache<>(ttl, maxEntries, nanoClock);
  }

  /** Whether {@code code} says the content is not there (as opposed to "cannot say now"). */
  static boolean isNotFound(ErrorCode code) {
    return code == ErrorCode.BLOB_UNKNOWN || code == ErrorCode.MANIFEST_UNKNOWN
        || code == ErrorCode.NAME_UNKNOWN || code == ErrorCode.DENIED;
  }

  /** The code upstream answered for {@code key}, if it said "not found" less than ttl ago. */
  Optional<ErrorCode> get(String key) {
    return answers.get(key);
  }

  /** Remembers a failed request's answer for {@code key} if it is a "not found" {@link OciException}. */
  void remember(String key, Throwable error) {
    if (error != null && Failures.unwrap(error) instanceof OciException refused) {
      put(key, refused.code());
    }
  }

  /** Remembers upstream's answer for {@code key} if it is a "not found"; ignores anything else. */
  void put(String key, ErrorCode code) {
    if (isNotFound(code)) {
      answers.put(key, code);
    }
  }

  /** How many answers are held now, expired ones not yet dropped included. */
  int size() {
    return answers.size();
  }
}
