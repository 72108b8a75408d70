package io.layercake.manifest;

import io.layercake.oci.Digest;
import io.layercake.oci.ManifestContent;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The node's manifests in memory, least recently used out first, bounded by their total size.
 * Manifests are small (kilobytes) and pulled far more often than anything else, one request per
 * image pull at least; serving them from memory takes a disk read, an index lookup and a hop to
 * the blocking dispatcher off every warm manifest request. The store on disk stays the record:
 * this is only a copy, and content by digest never changes, so it is never stale.
 */
public final class ManifestCache {

  private final long maxBytes;
  private final LinkedHashMap<Digest, ManifestContent> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long bytes;

  /** A cache holding at most {@code maxBytes} of manifest bytes; 0 turns it off. */
  public ManifestCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative, got " + maxBytes);
    }
    this.maxBytes = maxBytes;
  }

  /** The manifest with this digest, if it is in memory. */
  public synchronized Optional<ManifestContent> get(Digest digest) {
    return Optional.ofNullable(entries.get(digest));
  }

  /** Keeps {@code manifest}, dropping the least recently used ones past the bound. */
  public synchronized void put(ManifestContent manifest) {
    long size = manifest.bytes().length;
    if (size > maxBytes || entries.containsKey(manifest.digest())) {
      return;
    }
    entries.put(manifest.digest(), manifest);
    bytes += size;
    Iterator<Map.Entry<Digest, ManifestContent>> eldest = entries.entrySet().iterator();
    while (bytes > maxBytes && eldest.hasNext()) {
      bytes -= eldest.next().getValue().bytes().length;
      eldest.remove();
    }
  }

  /** Manifest bytes held now. */
  public synchronized long bytes() {
    return bytes;
  }
}
