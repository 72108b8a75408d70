package io.layercake.eviction;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What a removal freed (or, for a dry run, would free).
 *
 * @param untagged the images untagged, {@code repository:tag} (with the registry, unless Docker Hub)
 * @param deleted the blobs deleted
 * @param reclaimed bytes freed
 * @param dryRun whether nothing was actually removed
 * @param errors nodes that failed their part, with why
 */
public record Removal(List<String> untagged, List<Freed> deleted, long reclaimed, boolean dryRun,
    List<String> errors) {

  /** Nothing removed. */
  public static final Removal EMPTY = new Removal(List.of(), List.of(), 0, false, List.of());

  /** What {@code plan} frees, naming its images as {@code shown} does. */
  static Removal of(Catalog.Plan plan, boolean dryRun, Function<CachedImage, String> shown) {
    List<Freed> freed = plan.delete().stream().map(b -> new Freed(b.digest().toString(), b.size())).toList();
    return new Removal(plan.untag().stream().map(shown).toList(), freed, plan.bytes(), dryRun, List.of());
  }

  Removal plus(Removal other) {
    return new Removal(Stream.concat(untagged.stream(), other.untagged.stream()).toList(),
        Stream.concat(deleted.stream(), other.deleted.stream()).toList(), reclaimed + other.reclaimed,
        dryRun && other.dryRun, Stream.concat(errors.stream(), other.errors.stream()).toList());
  }

  /**
   * One deleted blob.
   *
   * @param digest the blob
   * @param size its size in bytes (summed over the nodes that held a copy)
   */
  public record Freed(String digest, long size) {}
}
