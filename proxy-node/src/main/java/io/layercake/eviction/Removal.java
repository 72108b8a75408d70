package io.layercake.eviction;

import java.util.ArrayList;
import java.util.List;

/**
 * What a removal freed (or, for a dry run, would free).
 *
 * @param untagged the images untagged, {@code repository:tag}
 * @param deleted the blobs deleted
 * @param reclaimed bytes freed
 * @param dryRun whether nothing was actually removed
 * @param errors nodes that failed their part, with why
 */
public record Removal(List<String> untagged, List<Freed> deleted, long reclaimed, boolean dryRun,
    List<String> errors) {

  /** Nothing removed. */
  public static final Removal EMPTY = new Removal(List.of(), List.of(), 0, false, List.of());

  static Removal of(Catalog.Plan plan, boolean dryRun) {
    List<Freed> freed = plan.delete().stream().map(b -> new Freed(b.digest().toString(), b.size())).toList();
    return new Removal(plan.untag().stream().map(CachedImage::name).toList(), freed, plan.bytes(), dryRun,
        List.of());
  }

  Removal plus(Removal other) {
    List<String> untaggedBoth = new ArrayList<>(untagged);
    untaggedBoth.addAll(other.untagged);
    List<Freed> deletedBoth = new ArrayList<>(deleted);
    deletedBoth.addAll(other.deleted);
    List<String> errorsBoth = new ArrayList<>(errors);
    errorsBoth.addAll(other.errors);
    return new Removal(List.copyOf(untaggedBoth), List.copyOf(deletedBoth), reclaimed + other.reclaimed,
        dryRun && other.dryRun, List.copyOf(errorsBoth));
  }

  /**
   * One deleted blob.
   *
   * @param digest the blob
   * @param size its size in bytes (summed over the nodes that held a copy)
   */
  public record Freed(String digest, long size) {}
}
