package io.layercake.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.layercake.eviction.PinStore;
import java.util.List;
import java.util.Map;

/**
 * What the admin API answers, as records: the node writes them with the shared mapper
 * ({@link AdminRequest#json}) and the {@code layercake} command reads them back with the same
 * one, so a field renamed on one side is a compile error on the other, not a blank column.
 * Removals answer with {@link io.layercake.eviction.Removal} itself; {@code inspect} answers with
 * a free-form document that the command only prints.
 */
public final class AdminAnswers {

  private AdminAnswers() {}

  /**
   * {@code GET /admin/images}.
   *
   * @param nodes how many nodes answered
   * @param images the cached images, sorted by repository and tag
   */
  public record Images(int nodes, List<Image> images) {}

  /**
   * One cached image.
   *
   * @param repository as docker prints it ({@code redis}; another registry's with its host,
   *     {@code ghcr.io/org/app})
   * @param fullRepository as cached on its upstream ({@code library/redis})
   * @param tag the tag
   * @param id the manifest digest
   * @param size bytes held in the cluster
   * @param lastPulled epoch milliseconds, 0 if never pulled
   * @param pulls manifest requests by tag, summed over the nodes
   * @param pinned whether a pin covers it
   * @param inUse whether any of its blobs is being served or filled
   * @param upstream the upstream it is from, as {@code layercake.upstreams} names it
   */
  public record Image(String repository, String fullRepository, String tag, String id, long size, long lastPulled,
      long pulls, boolean pinned, boolean inUse, String upstream) {}

  /** {@code GET /admin/pins}: every pin. */
  public record Pins(List<PinStore.Pin> pins) {}

  /** {@code POST} or {@code DELETE /admin/pins}: the images pinned or unpinned, {@code repository:tag}. */
  public record PinChange(List<String> images) {}

  /**
   * {@code GET /admin/history}, and a node's part of it for another node.
   *
   * @param image the image as asked
   * @param history the periods, oldest first
   */
  public record History(String image, List<HistoryEntry> history) {}

  /**
   * One period of a tag's history.
   *
   * @param digest the manifest the tag pointed at
   * @param mediaType its media type
   * @param since when the tag was found pointing there, epoch milliseconds
   * @param lastConfirmed when upstream (or a load) last confirmed it, epoch milliseconds
   * @param node the URL of the node whose journal recorded it
   */
  public record HistoryEntry(String digest, String mediaType, long since, long lastConfirmed, String node) {}

  /**
   * {@code POST /admin/load}.
   *
   * @param images the images the archive held
   * @param blobsStored blobs committed (those already held are not counted)
   * @param bytesStored their bytes
   */
  public record Load(List<LoadedImage> images, long blobsStored, long bytesStored) {}

  /**
   * One loaded image.
   *
   * @param digest its manifest (or index)
   * @param mediaType that manifest's media type
   * @param names the tags now pointing at it, as docker prints them
   */
  public record LoadedImage(String digest, String mediaType, List<String> names) {}

  /**
   * One line of {@code POST /admin/pull}'s NDJSON stream; fields that do not apply are left out.
   *
   * @param event start, waiting, exists, progress, complete, error or done
   * @param image the image as asked (start, done)
   * @param repository the repository as the upstream names it (start)
   * @param reference the tag or digest asked for (start)
   * @param digest the image's manifest (start, done) or the blob's
   * @param upToDate whether nothing had to be fetched (done)
   * @param errors how many blobs failed (done)
   * @param id the blob's short ID, as docker prints layers
   * @param kind config or layer
   * @param total the blob's size
   * @param current bytes received so far (progress)
   * @param message why a blob failed (error)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PullEvent(String event, String image, String repository, String reference, String digest,
      Boolean upToDate, Integer errors, String id, String kind, Long total, Long current, String message) {}

  /**
   * {@code GET /admin/upstreams}: the registries this node mirrors, as this node last heard from
   * them, with the pulls the cluster spent of their limits.
   *
   * @param nodes how many nodes' counts {@code spent} adds up (this one and the peers that answered)
   * @param upstreams one entry per configured upstream, ordered by name
   */
  public record Upstreams(int nodes, List<Upstream> upstreams) {}

  /**
   * One upstream and the pull limit it last reported to this node.
   *
   * @param name the entry's name under {@code layercake.upstreams}
   * @param registry the registry as people name it ({@code docker.io}, {@code ghcr.io})
   * @param url the registry's URL
   * @param user the account pulls are made with; null for anonymous (a password is never shown)
   * @param limit the limit's pulls per window, as last reported; null if none was
   * @param remaining the pulls left in the window, as last reported
   * @param windowSeconds the window's length
   * @param source what upstream counts the pulls against ({@code docker-ratelimit-source})
   * @param checkedAt when the last manifest answer arrived (epoch ms); null before the first
   * @param resetsAt when every pull that answer counted will have left the window (epoch ms): the
   *     window slides, so pulls come back one by one before then; null without a reported limit
   * @param unlimited whether that answer carried no limit: pulls from it are not limited
   * @param budget {@code ok}; {@code low} (below the reserve: prewarms paused, moved tags served as
   *     cached); {@code none left} (as upstream reported: 429 for what the cache lacks); or
   *     {@code backing off} (after upstream's 429 all the same)
   * @param backingOffUntil when backing off ends (epoch ms), if it is on
   * @param spent the manifest GETs the cluster counted over the limit's window, by kind (user,
   *     prewarm, refresh)
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Upstream(String name, String registry, String url, String user, Long limit, Long remaining,
      Long windowSeconds, String source, Long checkedAt, Long resetsAt, boolean unlimited, String budget, Long backingOffUntil,
      Map<String, Long> spent) {}
}
