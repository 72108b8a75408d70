package io.layercake.storage;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.Json;
import io.layercake.oci.RepositoryName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * The cached tags and repositories of each upstream, in RocksDB. The tag entities own the truth
 * of each tag (their journal); this index is the view that answers {@code tags/list} when
 * upstream is down and {@code _catalog}, which would otherwise have to wake every entity.
 *
 * <p>Keys are {@code <upstream> <repository>} and {@code <upstream> <repository>:<tag>}: a space
 * and a colon appear in neither names nor tags, so prefixes never collide.
 */
public final class TagIndex {

  private static final ObjectMapper JSON = Json.MAPPER;

  private final NodeDatabase database;
  private final ColumnFamilyHandle tags;
  private final ColumnFamilyHandle repositories;

  /** An index over the node's TAGS and REPOSITORIES column families. */
  public TagIndex(NodeDatabase database) {
    this.database = database;
    this.tags = database.family(NodeDatabase.Family.TAGS);
    this.repositories = database.family(NodeDatabase.Family.REPOSITORIES);
  }

  /** Records where a tag points now, and that its repository is cached. */
  public void put(String upstream, RepositoryName repository, String tag, TagRecord record) {
    try {
      database.rocks().put(tags, key(upstream, repository + ":" + tag), JSON.writeValueAsBytes(record));
      database.rocks().put(repositories, key(upstream, repository.value()), new byte[0]);
    } catch (RocksDBException | IOException e) {
      throw new StorageException("index tag " + repository + ":" + tag, e);
    }
  }

  /** What this node last knew of one tag. */
  public Optional<TagRecord> get(String upstream, RepositoryName repository, String tag) {
    try {
      byte[] value = database.rocks().get(tags, key(upstream, repository + ":" + tag));
      return value == null ? Optional.empty() : Optional.of(JSON.readValue(value, TagRecord.class));
    } catch (RocksDBException | IOException e) {
      throw new StorageException("read tag " + repository + ":" + tag, e);
    }
  }

  /** The cached tags of a repository, sorted. */
  public Map<String, TagRecord> tags(String upstream, RepositoryName repository) {
    Map<String, TagRecord> found = new TreeMap<>();
    String prefix = upstream + " " + repository + ":";
    scan(tags, prefix, (name, value) -> {
      try {
        found.put(name, JSON.readValue(value, TagRecord.class));
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
  public boolean remove(String upstream, RepositoryName repository, String tag) {
    try {
      byte[] key = key(upstream, repository + ":" + tag);
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
    scan(tags, "", (name, value) -> {
      int space = name.indexOf(' ');
      int colon = name.lastIndexOf(':');
      if (space <= 0 || colon <= space) {
        return;
      }
      try {
        found.add(new IndexedTag(name.substring(0, space), name.substring(space + 1, colon),
            name.substring(colon + 1), JSON.readValue(value, TagRecord.class)));
      } catch (IOException e) {
        throw new StorageException("read tag index entry " + name, e);
      }
    });
    return found;
  }

  /**
   * One entry of the tag index.
   *
   * @param upstream the configured upstream's name
   * @param repository the repository as cached, such as {@code library/redis}
   * @param tag the tag
   * @param record where it pointed
   */
  public record IndexedTag(String upstream, String repository, String tag, TagRecord record) {}

  /** The cached repositories of an upstream, sorted. */
  public List<String> repositories(String upstream) {
    List<String> found = new ArrayList<>();
    scan(repositories, upstream + " ", (name, value) -> found.add(name));
    return found;
  }

  private void scan(ColumnFamilyHandle family, String prefix, Visitor visitor) {
    byte[] start = prefix.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = database.rocks().newIterator(family)) {
      for (it.seek(start); it.isValid(); it.next()) {
        String key = new String(it.key(), StandardCharsets.UTF_8);
        if (!key.startsWith(prefix)) {
          break;
        }
        visitor.visit(key.substring(prefix.length()), it.value());
      }
    }
  }

  private static byte[] key(String upstream, String rest) {
    return (upstream + " " + rest).getBytes(StandardCharsets.UTF_8);
  }

  private interface Visitor {
    void visit(String name, byte[] value);
  }
}
