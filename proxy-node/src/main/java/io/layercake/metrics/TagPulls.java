package io.layercake.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/*
 * Implementation notes
 *
 * Why in memory: the blob index counts pulls of blobs, but a warm manifest is served from the
 * node's memory (FreshTags, ManifestCache) without touching the index, so nothing persisted
 * counts image pulls. A pull, as Docker Hub counts it, is one manifest request by tag: docker and
 * skopeo GET the tag, containerd HEADs it, and every client asks for the tag once per pull.
 *
 * Bounded: tag names come from clients (only successfully answered ones are counted, so they
 * exist upstream), and the map stops admitting new names at MAX_TAGS so that a client walking
 * through many tags cannot grow it without end. Pulls of names beyond that are only totalled.
 */

/** How often each image tag was pulled through this node since it started, for the status page. */
public final class TagPulls {

  /** The most tags counted one by one. */
  public static final int MAX_TAGS = 10_000;

  private record Key(String upstream, String repository, String tag) {}

  private final Map<Key, LongAdder> counts = new ConcurrentHashMap<>();
  private final LongAdder untracked = new LongAdder();

  TagPulls() {}

  /** Counts one pull of {@code repository:tag} from {@code upstream}. */
  public void pulled(String upstream, String repository, String tag) {
    Key key = new Key(upstream, repository, tag);
    LongAdder count = counts.get(key);
    if (count == null) {
      if (counts.size() >= MAX_TAGS) {
        untracked.increment();
        return;
      }
      count = counts.computeIfAbsent(key, k -> new LongAdder());
    }
    count.increment();
  }

  /** The {@code limit} most pulled tags, most pulled first (ties by name). */
  public List<TagPull> top(int limit) {
    return top(limit, repository -> true);
  }

  /** The same, among the repositories {@code shown} accepts. */
  public List<TagPull> top(int limit, java.util.function.Predicate<String> shown) {
    List<TagPull> all = new ArrayList<>(counts.size());
    counts.forEach((key, count) -> {
      if (shown.test(key.repository())) {
        all.add(new TagPull(key.upstream(), key.repository(), key.tag(), count.sum()));
      }
    });
    all.sort(Comparator.comparingLong(TagPull::pulls).reversed()
        .thenComparing(TagPull::repository).thenComparing(TagPull::tag));
    return all.size() > limit ? List.copyOf(all.subList(0, limit)) : List.copyOf(all);
  }

  /** Pulls of tags that arrived after {@link #MAX_TAGS} names were already counted. */
  public long untracked() {
    return untracked.sum();
  }

  /**
   * A tag and how often it was pulled.
   *
   * @param upstream the configured upstream's name
   * @param repository the repository, as the upstream names it
   * @param tag the tag
   * @param pulls manifest requests for it answered by this node since start
   */
  public record TagPull(String upstream, String repository, String tag, long pulls) {}
}
