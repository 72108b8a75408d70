package io.layercake.manifest;

import io.layercake.UpstreamName;
import io.layercake.oci.ManifestContent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.ToLongBiFunction;

/**
 * The answers this node has seen from tag entities that are still fresh, so that a pull of a hot
 * tag within its TTL is answered without asking the entity (possibly on another node). The entity
 * itself answers a fresh tag from its cache without asking upstream, so reusing its answer until
 * {@code validatedAt + tag-ttl} changes nothing a client can see; it only takes a sharding round
 * trip and a disk read off the most frequent request a mirror serves. Stale answers (upstream
 * down) are never kept: each of those must go to the entity, which retries upstream.
 */
public final class FreshTags {

  /** Enough for every tag a large CI fleet pulls; the least recently used go first past it. */
  private static final int MAX_ENTRIES = 10_000;

  private final ToLongBiFunction<UpstreamName, String> ttlMillis;
  private final LongSupplier clock;
  private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  /**
   * Pulls answered here from a fresh answer that the tag's entity has not heard of: they count
   * towards the tag's hotness (predictive refresh) and are reported with this node's next request
   * for the tag ({@link #takeUnreported}).
   */
  private final Map<String, Integer> unreported = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  private record Entry(ManifestContent manifest, long freshUntil) {}

  /**
   * Answers stay fresh for {@code ttlMillis} of their upstream and tag after upstream confirmed them, by
   * {@code clock}.
   */
  public FreshTags(ToLongBiFunction<UpstreamName, String> ttlMillis, LongSupplier clock) {
    this.ttlMillis = ttlMillis;
    this.clock = clock;
  }

  /** The manifest the tag points at, if an answer for it is still fresh. */
  public synchronized Optional<ManifestContent> get(UpstreamName upstream, String repository, String tag) {
    String key = key(upstream, repository, tag);
    Entry entry = entries.get(key);
    if (entry == null) {
      return Optional.empty();
    }
    if (clock.getAsLong() >= entry.freshUntil()) {
      entries.remove(key);
      return Optional.empty();
    }
    unreported.merge(key, 1, Integer::sum);
    return Optional.of(entry.manifest());
  }

  /** The pulls answered here from a fresh answer since the last call, which resets the count. */
  public synchronized int takeUnreported(UpstreamName upstream, String repository, String tag) {
    Integer count = unreported.remove(key(upstream, repository, tag));
    return count == null ? 0 : count;
  }

  /** Keeps an entity's fresh answer until the TTL since {@code validatedAt} has passed. */
  public synchronized void put(UpstreamName upstream, String repository, String tag, ManifestContent manifest,
      long validatedAt) {
    long freshUntil = validatedAt + ttlMillis.applyAsLong(upstream, tag);
    if (clock.getAsLong() < freshUntil) {
      entries.put(key(upstream, repository, tag), new Entry(manifest, freshUntil));
    }
  }

  private static String key(UpstreamName upstream, String repository, String tag) {
    return upstream + "/" + repository + ":" + tag;
  }
}
