package io.layercake.storage;

import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.oci.RepositoryName;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/*
 * Implementation notes
 *
 * A pull, as Docker Hub counts it, is one manifest request by tag: docker and skopeo GET the tag,
 * containerd HEADs it and then GETs by digest, so every client asks for the tag once per pull.
 * Blob serve counts are no measure of that: a warm manifest is answered from memory without
 * touching the blob index, configs are shared between tags, and a client that has a config skips
 * it. So the one count of pulls is kept here, by the node that answered the request (the cluster
 * verbs sum the nodes), batched in memory like the blob index's access times (PullFlusher writes
 * both). Pending names are capped: while a full disk stops the flushes, a client walking through
 * many tags cannot grow memory without end.
 */

/**
 * The cached tags and repositories of each upstream, in RocksDB, and the pulls of each tag that
 * this node answered. The tag entities own the truth of each tag (their journal); this index is
 * the view that answers {@code tags/list} when upstream is down and {@code _catalog}, which would
 * otherwise have to wake every entity.
 *
 * <p>Keys are {@code <upstream> <repository>} and {@code <upstream> <repository>:<tag>}: a space
 * and a colon appear in neither names nor tags, so prefixes never collide.
 */
public final class TagIndex {

  /** The most tags whose pulls wait for a flush; more are counted only in {@link #pullsSinceStart}. */
  static final int MAX_PENDING_TAGS = 10_000;

  private final NodeDatabase database;
  private final ColumnFamilyHandle tags;
  private final ColumnFamilyHandle repositories;
  private final ColumnFamilyHandle pulls;
  private final Map<String, PendingCount> pending = new ConcurrentHashMap<>();
  private final LongAdder pullsSinceStart = new LongAdder();

  /** An index over the node's TAGS, REPOSITORIES and TAG_PULLS column families. */
  public TagIndex(NodeDatabase database) {
    this.database = database;
    this.tags = database.family(NodeDatabase.Family.TAGS);
    this.repositories = database.family(NodeDatabase.Family.REPOSITORIES);
    this.pulls = database.family(NodeDatabase.Family.TAG_PULLS);
  }

  /** Records where a tag points now, and that its repository is cached. */
  public void put(UpstreamName upstream, RepositoryName repository, String tag, TagRecord record) {
    try {
      database.rocks().put(tags, key(upstream, repository + ":" + tag), Json.MAPPER.writeValueAsBytes(record));
      database.rocks().put(repositories, key(upstream, repository.value()), new byte[0]);
    } catch (RocksDBException | IOException e) {
      throw new StorageException("index tag " + repository + ":" + tag, e);
    }
  }

  /** What this node last knew of one tag. */
  public Optional<TagRecord> get(UpstreamName upstream, RepositoryName repository, String tag) {
    try {
      byte[] value = database.rocks().get(tags, key(upstream, repository + ":" + tag));
      return value == null ? Optional.empty() : Optional.of(Json.MAPPER.readValue(value, TagRecord.class));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("read tag " + repository + ":" + tag, e);
    }
  }

  /** The cached tags of a repository, sorted. */
  public Map<String, TagRecord> tags(UpstreamName upstream, RepositoryName repository) {
    Map<String, TagRecord> found = new TreeMap<>();
    String prefix = upstream + " " + repository + ":";
    scan(tags, prefix, (name, value) -> {
      try {
        found.put(name, Json.MAPPER.readValue(value, TagRecord.class));
      } catch (IOException e) {
        throw new StorageException("read tag index entry " + name, e);
      }
    });
    return found;
  }

  /**
   * Forgets a tag (for rmi, prune and age rules), and its repository once it has no tag left.
   * Whether the tag was indexed.
   */
  public boolean remove(UpstreamName upstream, RepositoryName repository, String tag) {
    try {
      byte[] key = key(upstream, repository + ":" + tag);
      // Every node that answered pulls of the tag forgets them, indexed here or not: pulled again
      // after its removal, the image starts counting afresh, as docker's would.
      synchronized (pending) {
        pending.remove(new String(key, StandardCharsets.UTF_8));
        database.rocks().delete(pulls, key);
      }
      if (database.rocks().get(tags, key) == null) {
        return false;
      }
      database.rocks().delete(tags, key);
      if (tags(upstream, repository).isEmpty()) {
        database.rocks().delete(repositories, key(upstream, repository.value()));
      }
      return true;
    } catch (RocksDBException e) {
      throw new StorageException("remove tag " + repository + ":" + tag, e);
    }
  }

  /** Every indexed tag of every upstream, in key order. */
  public List<IndexedTag> all() {
    List<IndexedTag> found = new ArrayList<>();
    scan(tags, "", (name, value) -> TagKey.parse(name).ifPresent(key -> {
      try {
        found.add(new IndexedTag(key.upstream(), key.repository(), key.tag(),
            Json.MAPPER.readValue(value, TagRecord.class)));
      } catch (IOException e) {
        throw new StorageException("read tag index entry " + name, e);
      }
    }));
    return found;
  }

  /** Counts a pull of {@code repository:tag} answered by this node at {@code at} (epoch milliseconds). */
  public void pulled(UpstreamName upstream, String repository, String tag, long at) {
    pullsSinceStart.increment();
    String key = upstream + " " + repository + ":" + tag;
    PendingCount counted = pending.get(key);
    if (counted == null) {
      if (pending.size() >= MAX_PENDING_TAGS) {
        return;
      }
      counted = pending.computeIfAbsent(key, k -> new PendingCount());
    }
    counted.add(1, at);
  }

  /** Tag pulls this node answered since it started: the {@code /metrics} counter. */
  public long pullsSinceStart() {
    return pullsSinceStart.sum();
  }

  /**
   * Writes the tag pulls counted since the last flush, in one batch, not synced. If RocksDB
   * refuses the write (a full disk), they stay pending and the exception tells the caller.
   */
  public void flushPulls() {
    // One flush at a time, and never beside a removal: each reads, adds to and writes the count.
    synchronized (pending) {
      flushPendingPulls();
    }
  }

  private void flushPendingPulls() {
    Map<String, Pulls> taken = new HashMap<>();
    pending.forEach((key, counted) -> {
      if (counted.count.get() == 0) {
        // Not pulled since the last flush: dropped, so the map holds only tags pulled lately.
        pending.remove(key, counted);
      }
      Pulls pulled = counted.take();
      if (pulled.count() > 0) {
        taken.put(key, pulled);
      }
    });
    if (taken.isEmpty()) {
      return;
    }
    try (WriteBatch batch = new WriteBatch()) {
      for (Map.Entry<String, Pulls> entry : taken.entrySet()) {
        byte[] key = entry.getKey().getBytes(StandardCharsets.UTF_8);
        batch.put(pulls, key, encode(decode(database.rocks().get(pulls, key)).plus(entry.getValue())));
      }
      database.rocks().write(database.plainWrites(), batch);
    } catch (RocksDBException | RuntimeException e) {
      taken.forEach((key, pulled) ->
          pending.computeIfAbsent(key, k -> new PendingCount()).add(pulled.count(), pulled.last()));
      throw new StorageException("write the pulls of " + taken.size() + " tags", e);
    }
  }

  /** Every tag this node answered pulls of, with the pulls not yet written, in key order. */
  public List<TagPull> pulls() {
    Map<String, Pulls> all = new TreeMap<>();
    scan(pulls, "", (name, value) -> all.put(name, decode(value)));
    pending.forEach((key, counted) -> {
      Pulls pulled = new Pulls(counted.count.get(), counted.last.get());
      if (pulled.count() > 0) {
        all.merge(key, pulled, Pulls::plus);
      }
    });
    List<TagPull> found = new ArrayList<>();
    all.forEach((name, counted) -> TagKey.parse(name).ifPresent(key -> found.add(
        new TagPull(key.upstream(), key.repository(), key.tag(), counted.count(), counted.last()))));
    return found;
  }

  /**
   * How often one tag was pulled through this node, and when last.
   *
   * @param upstream the configured upstream's name
   * @param repository the repository as cached, such as {@code library/redis}
   * @param tag the tag
   * @param pulls manifest requests by tag this node answered
   * @param lastPulled the latest of them, epoch milliseconds
   */
  public record TagPull(UpstreamName upstream, String repository, String tag, long pulls, long lastPulled) {}

  /**
   * A tag's pulls since the last flush. Mutable, so that a burst of pulls of one tag (a fleet
   * pulling node:20) adds to one counter without a lock, instead of replacing a record under the
   * map bin's lock on every request.
   */
  private static final class PendingCount {
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong last = new AtomicLong();

    void add(long pulls, long at) {
      count.addAndGet(pulls);
      if (at > last.get()) {
        last.accumulateAndGet(at, Math::max);
      }
    }

    /** The pulls counted so far, and a fresh start. */
    Pulls take() {
      return new Pulls(count.getAndSet(0), last.get());
    }
  }

  private static byte[] encode(Pulls counted) {
    return ByteBuffer.allocate(16).putLong(counted.count()).putLong(counted.last()).array();
  }

  private static Pulls decode(byte[] value) {
    // An absent or unreadable value counts as none: pull counts are statistics, not content.
    if (value == null || value.length != 16) {
      return new Pulls(0, 0);
    }
    ByteBuffer buffer = ByteBuffer.wrap(value);
    return new Pulls(buffer.getLong(), buffer.getLong());
  }

  /**
   * One entry of the tag index.
   *
   * @param upstream the configured upstream's name
   * @param repository the repository as cached, such as {@code library/redis}
   * @param tag the tag
   * @param record where it pointed
   */
  public record IndexedTag(UpstreamName upstream, String repository, String tag, TagRecord record) {}

  /** The cached repositories of an upstream, sorted. */
  public List<String> repositories(UpstreamName upstream) {
    List<String> found = new ArrayList<>();
    scan(repositories, upstream + " ", (name, value) -> found.add(name));
    return found;
  }

  private void scan(ColumnFamilyHandle family, String prefix, BiConsumer<String, byte[]> visitor) {
    byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = database.rocks().newIterator(family)) {
      for (it.seek(start); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        if (!key.startsWith(prefix)) {
          break;
        }
        visitor.accept(key.substring(prefix.length()), it.value());
      }
    }
  }

  private static byte[] key(UpstreamName upstream, String rest) {
    return (upstream + " " + rest).getBytes(StandardCharsets.UTF_8);
  }

  /** The parts of a tag's key, {@code <upstream> <repository>:<tag>}. */
  private record TagKey(UpstreamName upstream, String repository, String tag) {

    static Optional<TagKey> parse(String key) {
      int space = key.indexOf(' ');
      int colon = key.lastIndexOf(':');
      return space <= 0 || colon <= space ? Optional.empty()
          : Optional.of(new TagKey(UpstreamName.of(key.substring(0, space)), key.substring(space + 1, colon),
              key.substring(colon + 1)));
    }
  }
}
