package io.layercake.upstream;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The manifest GETs one node counted against each upstream's pull limit over its window, by
 * kind: what a node answers on {@code /internal/pulls}, and what the operator's view sums.
 *
 * @param byUpstream per upstream name, the GETs by kind
 */
public record SpentPulls(Map<String, Map<PullKind, Long>> byUpstream) {

  /** Copies the maps. */
  public SpentPulls {
    byUpstream = Map.copyOf(byUpstream);
  }

  /** What this node spent, now. */
  public static SpentPulls of(Upstreams upstreams) {
    Map<String, Map<PullKind, Long>> all = new TreeMap<>();
    upstreams.names().forEach(name -> all.put(name.value(), upstreams.get(name).spent()));
    return new SpentPulls(all);
  }

  /** The GETs of {@code upstream} by kind, zero for each kind it has none of. */
  public Map<PullKind, Long> of(String upstream) {
    Map<PullKind, Long> counts = new EnumMap<>(PullKind.class);
    for (PullKind kind : PullKind.values()) {
      counts.put(kind, byUpstream.getOrDefault(upstream, Map.of()).getOrDefault(kind, 0L));
    }
    return counts;
  }

  /** This and {@code other} added up, upstream by upstream and kind by kind. */
  public SpentPulls plus(SpentPulls other) {
    Map<String, Map<PullKind, Long>> sum = new TreeMap<>();
    for (SpentPulls part : new SpentPulls[] {this, other}) {
      part.byUpstream.forEach((upstream, counts) -> counts.forEach((kind, count) ->
          sum.computeIfAbsent(upstream, u -> new EnumMap<>(PullKind.class)).merge(kind, count, Long::sum)));
    }
    return new SpentPulls(sum);
  }
}
