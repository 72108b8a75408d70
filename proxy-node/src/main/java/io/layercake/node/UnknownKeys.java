package io.layercake.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The keys under {@code layercake} that no setting reads. Typesafe Config ignores a key nobody
 * asks for, so {@code layercake.storage.max-szie = 10GiB} would start a node with the default cap
 * and say nothing; a node refuses to start instead, naming the key, where it was set, and the key
 * it most likely meant.
 *
 * <p>Known keys are those of {@code reference.conf}. Two blocks are maps of the operator's own
 * names: the entries under {@code upstreams} and {@code upstream-presets} may use the keys of the
 * reference's {@code docker-hub} entry, and {@code preset} and {@code tag-ttl}. The Akka plugin blocks that live under
 * {@code layercake} (the journal, the snapshot store, the blocking dispatcher) take Akka's keys,
 * which Akka checks.
 */
final class UnknownKeys {

  private static final String ROOT = "layercake";
  private static final Set<String> ENTRY_MAPS = Set.of("upstreams", "upstream-presets");
  private static final String ENTRY_TEMPLATE = "layercake.upstreams.docker-hub";
  /** Entry keys with no default, so absent from the template: documented in reference.conf. */
  private static final List<String> OPTIONAL_ENTRY_KEYS = List.of("preset", "tag-ttl");
  private static final List<String> AKKA_BLOCKS = List.of(
      "layercake.persistence.journal", "layercake.persistence.snapshot-store", "layercake.blocking-io-dispatcher");

  private UnknownKeys() {}

  /**
   * Fails if {@code loaded} sets a key under {@code layercake} that {@code reference} does not
   * know.
   *
   * @throws IllegalArgumentException naming every such key, its origin and the likely intended key
   */
  static void check(Config loaded, Config reference) {
    if (!loaded.hasPath(ROOT)) {
      return;
    }
    Set<String> known = leafPaths(reference.withOnlyPath(ROOT));
    Set<String> entryKeys = leafPaths(reference.getConfig(ENTRY_TEMPLATE));
    entryKeys.addAll(OPTIONAL_ENTRY_KEYS);
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, ConfigValue> entry : loaded.getConfig(ROOT).entrySet()) {
      String path = ROOT + "." + entry.getKey();
      List<String> parts = ConfigUtil.splitPath(path);
      if (AKKA_BLOCKS.stream().anyMatch(block -> path.equals(block) || path.startsWith(block + "."))) {
        continue;
      }
      boolean inEntry = parts.size() > 3 && ENTRY_MAPS.contains(parts.get(1));
      String key = inEntry ? ConfigUtil.joinPath(parts.subList(3, parts.size())) : path;
      if (inEntry ? entryKeys.contains(key) : reference.hasPathOrNull(path)) {
        continue;
      }
      Set<String> candidates = inEntry ? entryKeys : known;
      String prefix = inEntry ? ConfigUtil.joinPath(parts.subList(0, 3)) + "." : "";
      problems.add(path + " (" + entry.getValue().origin().description() + ")"
          + closest(key, candidates).map(hint -> ": did you mean " + prefix + hint + "?").orElse(""));
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("unknown configuration key" + (problems.size() > 1 ? "s" : "") + ", which"
          + " no setting reads (reference.conf lists every key): " + String.join("; ", problems));
    }
  }

  private static Set<String> leafPaths(Config config) {
    return config.entrySet().stream().map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The candidate nearest to {@code key} by edit distance, if it is near enough to be a typo. */
  static Optional<String> closest(String key, Set<String> candidates) {
    // min keeps the first of equally near candidates (they are sorted).
    return candidates.stream().min(Comparator.comparingInt((String candidate) -> editDistance(key, candidate)))
        .filter(best -> editDistance(key, best) <= Math.max(2, key.length() / 6));
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
