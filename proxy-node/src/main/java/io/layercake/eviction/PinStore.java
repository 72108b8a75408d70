package io.layercake.eviction;

import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.storage.NodeDatabase;
import io.layercake.storage.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * This node's pins, in the PINS column family (so they survive restarts), with the set of pinned
 * digests in memory for eviction's checks. A pin is an image name with the digests it covered
 * when it was pinned (manifests, config and layers); every member keeps every pin, because a
 * blob's shard can move to any node.
 */
public final class PinStore {

  private final NodeDatabase database;
  private final ColumnFamilyHandle family;
  private final Map<String, Pin> pins = new TreeMap<>();
  private volatile Set<Digest> pinnedDigests = Set.of();

  /** The pins stored in {@code database}, loaded now. */
  public PinStore(NodeDatabase database) {
    this.database = database;
    this.family = database.family(NodeDatabase.Family.PINS);
    try (RocksIterator it = database.rocks().newIterator(family)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        try {
          Pin pin = Json.MAPPER.readValue(it.value(), Pin.class);
          pins.put(pin.key(), pin);
        } catch (IOException e) {
          throw new StorageException("read pin " + new String(it.key(), StandardCharsets.UTF_8), e);
        }
      }
    }
    refresh();
  }

  /** Records a pin (replacing any pin of the same image). Synced: a pin must survive power cuts. */
  public synchronized void pin(Pin pin) {
    try {
      database.rocks().put(family, database.syncWrites(), bytes(pin.key()), Json.MAPPER.writeValueAsBytes(pin));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("store pin " + pin.image(), e);
    }
    pins.put(pin.key(), pin);
    refresh();
  }

  /** Removes the pin whose {@link Pin#key} is {@code key}; whether there was one. */
  public synchronized boolean unpin(String key) {
    if (!pins.containsKey(key)) {
      return false;
    }
    try {
      database.rocks().delete(family, database.syncWrites(), bytes(key));
    } catch (RocksDBException e) {
      throw new StorageException("remove pin " + key, e);
    }
    pins.remove(key);
    refresh();
    return true;
  }

  /** Whether any pin covers the digest. */
  public boolean isPinned(Digest digest) {
    return pinnedDigests.contains(digest);
  }

  /** All pins, by image name. */
  public synchronized List<Pin> all() {
    return List.copyOf(pins.values());
  }

  private void refresh() {
    Set<Digest> digests = new HashSet<>();
    for (Pin pin : pins.values()) {
      pin.digests().forEach(d -> digests.add(Digest.parse(d)));
    }
    pinnedDigests = Set.copyOf(digests);
  }

  private static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A pinned image.
   *
   * @param image the image as pinned, {@code repository:tag} as cached
   * @param manifest the manifest digest the tag pointed at when pinned
   * @param digests every digest the image referred to when pinned, its manifest included
   * @param pinnedAt epoch milliseconds
   * @param upstream the upstream the image is from; null in a pin recorded before pins named
   *     theirs, which then covers {@code image} from every upstream
   */
  public record Pin(String image, String manifest, List<String> digests, long pinnedAt, UpstreamName upstream) {

    /**
     * What the pin is stored under: one pin per image of each upstream. A pin without an upstream
     * keeps the key it was stored under, its image.
     */
    public String key() {
      // A space never occurs in an upstream's name, a repository or a tag.
      return upstream == null ? image : upstream.value() + " " + image;
    }

    /** Whether {@code name} denotes this pinned image. */
    public boolean isNamedBy(ImageName name) {
      int colon = image.lastIndexOf(':');
      return name.denotes(upstream, image.substring(0, colon), image.substring(colon + 1), Digest.parse(manifest));
    }
  }
}
