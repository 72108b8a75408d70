package io.layercake.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.layercake.CborSerializable;
import java.util.UUID;

/**
 * One thing that happened to the cluster's cache, as {@code GET /admin/events} streams it and the
 * webhook delivers it. Fields that do not apply to a type are null and left out of the JSON.
 *
 * @param offset where the event sits in the log of the node that serves it (0 until logged):
 *     {@code ?from=offset+1} resumes after it. Each node numbers its own log.
 * @param id the same on every node and in every delivery: what a consumer deduplicates on
 * @param type {@code tag.moved}, {@code blob.filled}, {@code blob.evicted}, {@code blob.pruned} or
 *     {@code blob.removed}
 * @param time when it happened, ISO-8601 UTC
 * @param node the node it happened on (its advertised URL)
 * @param upstream the upstream's name, for tags and fills
 * @param repository the repository as its upstream names it, for tags and fills
 * @param tag the tag, for tag.moved
 * @param digest the tag's new manifest, or the blob
 * @param previous the manifest the tag pointed at before, for tag.moved
 * @param size the blob's size in bytes
 * @param reason why: for tag.moved {@code pull} (a client's pull found it moved) or {@code refresh}
 *     (found ahead of the fleet); for evictions the reason's label ({@code size}, {@code
 *     unused-for}, ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CacheEvent(long offset, String id, String type, String time, String node, String upstream,
    String repository, String tag, String digest, String previous, Long size, String reason)
    implements CborSerializable {

  /** The event numbered {@code offset} in a node's log. */
  CacheEvent at(long offset) {
    return new CacheEvent(offset, id, type, time, node, upstream, repository, tag, digest, previous, size, reason);
  }

  /** A tag found pointing at a new manifest. */
  public static CacheEvent tagMoved(String time, String upstream, String repository, String tag, String previous,
      String digest, String reason) {
    return new CacheEvent(0, newId(), "tag.moved", time, null, upstream, repository, tag, digest, previous, null,
        reason);
  }

  /** A blob fetched from upstream, verified and stored. */
  public static CacheEvent blobFilled(String time, String upstream, String repository, String digest, long size) {
    return new CacheEvent(0, newId(), "blob.filled", time, null, upstream, repository, null, digest, null, size,
        null);
  }

  /** A blob removed from a node's store: {@code type} says how, {@code reason} why. */
  public static CacheEvent blobGone(String type, String time, String digest, long size, String reason) {
    return new CacheEvent(0, newId(), type, time, null, null, null, null, digest, null, size, reason);
  }

  /** The same event, said to have happened on {@code node}. */
  CacheEvent on(String node) {
    return new CacheEvent(offset, id, type, time, node, upstream, repository, tag, digest, previous, size, reason);
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }
}
