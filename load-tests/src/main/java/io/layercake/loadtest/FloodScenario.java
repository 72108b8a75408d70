package io.layercake.loadtest;

import io.layercake.storage.NodeDatabase;
import io.layercake.testkit.EmptyRegistry;
import io.layercake.testkit.JvmHeap;
import io.layercake.testkit.NameFlood;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code flood}: what anyone who reaches the port can send for free (issue 10, finding 2).
 * 100,000 random blob digests and 100,000 random tags (10,000 with {@code --quick}), GETs and
 * HEADs, no credentials, 64 in flight, against one node with the launcher's JVM options and an
 * upstream that has none of them. The node's heap is read after full collections (through the
 * attach API) after a warm-up, half-way and after the flood: it must end within 20 MB of where it
 * started, every answer must be a 4xx, and the node's RocksDB must hold nothing afterwards (no
 * journal entries, snapshots or index entries for names that do not exist). What the heap may
 * gain is bounded whatever the count: the remembered 404s (10,000 of each kind by default) and one
 * actor per shard touched (1,000 shards per entity type); the warm-up touches nearly every shard,
 * and the second half shows whether anything grows per name.
 *
 * <p>The same check with fewer names runs in {@code mvn test} as {@code
 * RandomNamesFloodIntegrationTest}.
 */
final class FloodScenario implements Scenario {

  /** Enough to touch nearly every one of the 1,000 shards of each entity type. */
  private static final int WARM_UP_NAMES = 5_000;
  private static final int IN_FLIGHT = 64;
  private static final long HEAP_GROWTH_LIMIT = 20L << 20;

  @Override
  public Section run(Bench bench) throws Exception {
    int names = bench.options().quick() ? 10_000 : 100_000;
    Path dataRoot = bench.folder("layercake");
    long before;
    long halfway;
    long after;
    long max;
    long upstreamRequests;
    NameFlood.Result first;
    NameFlood.Result second;
    try (EmptyRegistry upstream = EmptyRegistry.start();
        LayercakeMirror node = LayercakeMirror.start(1, dataRoot, upstream.url(), Map.of(), List.of())) {
      String url = node.urls().get(0);
      NameFlood client = new NameFlood(20, IN_FLIGHT);
      client.run(url, WARM_UP_NAMES, Duration.ofMinutes(2));
      try (JvmHeap heap = JvmHeap.attach(node.pid().orElseThrow())) {
        max = heap.max();
        before = heap.usedAfterFullGc();
        first = client.run(url, names / 2, Duration.ofMinutes(5));
        halfway = heap.usedAfterFullGc();
        second = client.run(url, names - names / 2, Duration.ofMinutes(5));
        after = heap.usedAfterFullGc();
      }
      upstreamRequests = upstream.blobRequests() + upstream.manifestRequests();
    }
    Map<NodeDatabase.Family, Long> keys;
    try (NodeDatabase database = NodeDatabase.open(dataRoot.resolve("node-0").resolve("db"))) {
      keys = database.keyCounts();
    }
    long[] heap = {before, halfway, after, max};
    return section(names, heap, first.plus(second), upstreamRequests, keys);
  }

  /** The report; {@code heap} holds the heap before, half-way, after, and its limit. */
  private static Section section(int names, long[] heap, NameFlood.Result flood, long upstreamRequests,
      Map<NodeDatabase.Family, Long> keys) {
    long before = heap[0];
    long after = heap[2];
    Section section = new Section("flood: " + Stats.number(names) + " random digests and "
        + Stats.number(names) + " random tags, no login");
    section.text("One node with the launcher's JVM options (" + String.join(" ", LayercakeMirror.JVM_OPTIONS)
        + ") and an upstream that holds nothing. After a warm-up of " + Stats.number(WARM_UP_NAMES)
        + " names of each kind, the flood sends " + IN_FLIGHT + " requests at a time, every fourth a HEAD."
        + " Heap figures are bytes in use after two full collections, read through the attach API.");
    Table table = new Table("requests", "wall time", "requests/s", "statuses", "upstream requests",
        "heap before", "heap half-way", "heap after", "growth", "second half", "heap limit");
    table.row(Stats.number(flood.requests()), Stats.seconds(flood.elapsed().toMillis()),
        Stats.number(flood.rate()), flood.statuses(), Stats.number(upstreamRequests), mib(before), mib(heap[1]),
        mib(after), String.format(Locale.ROOT, "%+.1f MiB", (after - before) / 1048576.0),
        String.format(Locale.ROOT, "%+.1f MiB", (after - heap[1]) / 1048576.0), mib(heap[3]));
    section.table(table);
    Map<String, Long> left = new LinkedHashMap<>();
    keys.forEach((family, count) -> left.put(family.columnFamilyName(), count));
    section.text("Keys in the node's RocksDB afterwards, by column family: " + left + ".");
    section.target("heap after full GC within 20 MB of before", String.format(Locale.ROOT, "%+.1f MiB",
        (after - before) / 1048576.0), after - before < HEAP_GROWTH_LIMIT);
    section.target("every answer a 4xx", flood.statuses().toString(),
        flood.allClientErrors() && flood.requests() == 2L * names);
    section.target("nothing journaled, snapshotted or indexed", left.toString(),
        keys.values().stream().allMatch(count -> count == 0));
    return section;
  }

  private static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
