package io.layercake.eviction;

import io.layercake.Glob;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import java.util.Set;

/**
 * A cached image as the cluster-wide verbs see it: one tag with everything it refers to.
 *
 * @param upstream the upstream's name
 * @param repository as cached, such as {@code library/redis}
 * @param tag the tag
 * @param manifest the manifest digest the tag points at (the image ID is its first 12 hex)
 * @param digests every digest the image refers to that is known: its manifest, an index's
 *     platform manifests, and the config and layers of every manifest held on some node
 * @param size bytes of those digests held on some node, each counted once
 * @param pulls how often it was pulled: manifest requests by tag, summed over the nodes that
 *     answered them (the count the status page and {@code layercake_image_pulls_total} show)
 * @param lastPulled the latest of those pulls, epoch milliseconds, or 0 if it was never pulled
 * @param lastUsed the latest pull, or access of any of its blobs on any node (a pull by digest
 *     touches no tag), epoch milliseconds; the tag's last validation if neither happened. What
 *     {@code prune --filter until} and the age rules judge by.
 * @param cachedAt when its manifest was first stored on any node, epoch milliseconds (the tag's
 *     last validation if no node holds it)
 * @param pinned whether a pin covers its manifest
 * @param inUse whether any of its blobs is being served or filled now
 */
public record CachedImage(UpstreamName upstream, String repository, String tag, Digest manifest, Set<Digest> digests,
    long size, long pulls, long lastPulled, long lastUsed, long cachedAt, boolean pinned, boolean inUse) {

  /** {@code repository:tag}, as cached. */
  public String name() {
    return repository + ":" + tag;
  }

  /** The repository as docker prints it: {@code redis} for {@code library/redis}. */
  public String shortRepository() {
    return repository.startsWith("library/") && repository.indexOf('/', 8) < 0
        ? repository.substring(8) : repository;
  }

  /**
   * Whether a {@code reference} filter matches: a pattern with a colon is matched against
   * {@code repository:tag}, one without against the repository; both the cached form
   * ({@code library/redis}) and docker's short form ({@code redis}) are tried.
   */
  public boolean matchesReference(Glob pattern) {
    boolean withTag = pattern.pattern().contains(":");
    String full = withTag ? name() : repository;
    String familiar = withTag ? shortRepository() + ":" + tag : shortRepository();
    return pattern.matches(full) || pattern.matches(familiar);
  }
}
