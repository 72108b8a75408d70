package io.layercake.eviction;

import io.layercake.Glob;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.RepositoryName;
import java.util.Optional;
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

  /** The repository as docker prints it for Docker Hub: {@code redis} for {@code library/redis}. */
  public String shortRepository() {
    return RepositoryName.familiar(repository);
  }

  /**
   * The repository as docker prints it: {@code redis} for Docker Hub's {@code library/redis}, and
   * with the host for another registry's, {@code ghcr.io/org/app}.
   *
   * @param registry the host this image's upstream is named by, empty for Docker Hub
   */
  public String familiarRepository(Optional<String> registry) {
    return registry.map(host -> host + "/" + repository).orElseGet(this::shortRepository);
  }

  /**
   * Whether a {@code reference} filter matches: a pattern whose last component has a colon is
   * matched against {@code repository:tag}, any other against the repository, in docker's form
   * ({@code redis}, {@code ghcr.io/org/app}); Docker Hub's also in the cached form
   * ({@code library/redis}). Another registry's image needs its host: {@code org/*} means Docker
   * Hub's {@code org}, as it does to docker.
   *
   * @param registry the host this image's upstream is named by, empty for Docker Hub
   */
  public boolean matchesReference(Glob pattern, Optional<String> registry) {
    String text = pattern.pattern();
    String suffix = text.substring(text.lastIndexOf('/') + 1).contains(":") ? ":" + tag : "";
    return pattern.matches(familiarRepository(registry) + suffix)
        || (registry.isEmpty() && pattern.matches(repository + suffix));
  }
}
