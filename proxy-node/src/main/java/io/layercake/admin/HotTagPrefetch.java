package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import io.layercake.Futures;
import io.layercake.UpstreamName;
import io.layercake.archive.ArchiveJson;
import io.layercake.archive.Descriptor;
import io.layercake.blob.BlobFinder;
import io.layercake.oci.Digest;
import io.layercake.oci.ImageReference;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.upstream.PullKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * What "the platforms that were pulled recently" are: the children of the tag's previous index
 * that are in the cache. A client pulls an index's child only for its own platform, and eviction
 * takes the unused ones, so the cached children are the platforms the fleet runs. The new index's
 * children for those platforms are fetched (refresh pulls, within the budget), and the blobs of
 * those images that no node holds are filled through their entities, as a client's pull would
 * fill them: once per cluster, on their owners, from a peer if one has them. Nothing is read back
 * here; a fill runs to its end whoever reads it.
 *
 * Bounded twice: the blobs to fetch must fit in refresh.max-bytes, and in the room this node has
 * below its size cap, so that a refresh never makes eviction drop what the fleet uses now. A
 * refresh over either gets its manifests only, and the fleet's first pull fills the blobs.
 */

/** Fetches ahead the blobs of a hot tag that a refresh found moved. */
public final class HotTagPrefetch {

  private static final Logger LOG = LoggerFactory.getLogger(HotTagPrefetch.class);

  private final ImageResolver resolver;
  private final BlobFinder blobs;
  private final ImageServices services;
  private final LongSupplier room;
  private final long maxBytes;

  /**
   * Prefetches through {@code services}, the node's {@code finder}, at most {@code maxBytes} per
   * refresh and at most what {@code room} says is left below the node's size cap.
   */
  public HotTagPrefetch(ActorSystem<?> system, ImageServices services, BlobFinder finder,
      LongSupplier room, long maxBytes) {
    this.resolver = new ImageResolver(system, services);
    this.services = services;
    this.blobs = finder;
    this.room = room;
    this.maxBytes = maxBytes;
  }

  /**
   * Fetches ahead what the fleet's next pulls of {@code tag}, which moved from {@code previous}
   * to {@code current}, will need. Completes with the bytes whose fills it started.
   */
  public CompletionStage<Long> prefetch(UpstreamName upstream, RepositoryName repository, Tag tag, Digest previous,
      ManifestContent current) {
    ImageReference reference = new ImageReference(services.upstreams().registryName(upstream), repository,
        Optional.of(tag), Optional.empty());
    ImageResolver.ResolvedImage image = new ImageResolver.ResolvedImage(reference, upstream, repository, current);
    return pulledPlatforms(previous, current).thenCompose(platforms -> {
      if (platforms.isEmpty()) {
        return CompletableFuture.completedFuture(List.<ImageResolver.PlatformImage>of());
      }
      return resolver.platforms(image, platforms, PullKind.REFRESH);
    }).thenCompose(images -> {
      Map<Digest, Descriptor> wanted = new LinkedHashMap<>();
      images.forEach(each -> each.blobs().forEach(blob -> wanted.putIfAbsent(blob.digest(), blob)));
      return missing(List.copyOf(wanted.values()));
    }).thenCompose(missing -> {
      long bytes = missing.stream().mapToLong(Descriptor::size).sum();
      long left = room.getAsLong();
      if (bytes > maxBytes || bytes > left) {
        LOG.info("Refresh of {}:{} fetched its manifests only: its new blobs are {} bytes, over {}", repository,
            tag, bytes, bytes > maxBytes ? "layercake.manifests.refresh.max-bytes (" + maxBytes + ")"
                : "the room left below the size cap (" + left + ")");
        return CompletableFuture.completedFuture(0L);
      }
      List<CompletionStage<Void>> started = new ArrayList<>();
      for (Descriptor blob : missing) {
        started.add(blobs.fetch(upstream, repository, blob.digest()).thenApply(reply -> null));
      }
      LOG.info("Refresh of {}:{} is fetching {} blobs ({} bytes) ahead of the fleet's pulls", repository, tag,
          missing.size(), bytes);
      return Futures.all(started).thenApply(done -> bytes);
    });
  }

  /**
   * The platforms of {@code current} to fetch: for an index, those of the previous index's
   * children that are cached (the previous manifest itself if it was no index: the one image);
   * for a single image, itself (the empty name).
   */
  private CompletionStage<List<String>> pulledPlatforms(Digest previous, ManifestContent current) {
    if (!MediaType.isIndex(current.mediaType())) {
      return CompletableFuture.completedFuture(List.of(""));
    }
    return services.manifests().findLocal(previous).thenCompose(found -> {
      if (found.isEmpty() || !MediaType.isIndex(found.get().mediaType())) {
        return CompletableFuture.completedFuture(List.of());
      }
      List<String> names = ImageResolver.platformNames(found.get());
      List<Descriptor> children = ArchiveJson.references(found.get().mediaType(), found.get().bytes()).children();
      List<CompletionStage<Optional<String>>> cached = new ArrayList<>();
      for (int i = 0; i < children.size() && i < names.size(); i++) {
        String name = names.get(i);
        // Clients fetch an index's children from whichever node they reach: ask every node.
        cached.add(blobs.holders(children.get(i).digest())
            .thenApply(holders -> holders.isEmpty() ? Optional.<String>empty() : Optional.of(name)));
      }
      return Futures.all(cached).thenApply(all -> all.stream().flatMap(Optional::stream).distinct().toList());
    });
  }

  /** The blobs of {@code wanted} that no node holds. */
  private CompletionStage<List<Descriptor>> missing(List<Descriptor> wanted) {
    List<CompletionStage<Optional<Descriptor>>> checks = new ArrayList<>();
    for (Descriptor blob : wanted) {
      checks.add(blobs.holders(blob.digest()).thenApply(holders -> holders.isEmpty()
          ? Optional.of(blob) : Optional.<Descriptor>empty()));
    }
    return Futures.all(checks).thenApply(all -> all.stream().flatMap(Optional::stream).toList());
  }
}
