package io.layercake.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import io.layercake.UpstreamName;
import io.layercake.cluster.ClusterReport;
import io.layercake.cluster.ClusterStatus;
import io.layercake.metrics.CacheKind;
import io.layercake.metrics.NodeMetrics;
import io.layercake.metrics.RecentEviction;
import io.layercake.metrics.StoreUsage;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.TagIndex;
import io.layercake.upstream.Upstreams;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * {@code GET /} (and {@code /index.html}): a small HTML page for people, with the cluster's nodes,
 * this node's storage against its cap, its hit ratios, its pulls by registry, its most pulled
 * tags and its recent evictions. It shows what the admin API's cluster report shows and this node's counters, never a
 * token or a credential. With pull authentication on it needs a user, and lists only the tags of
 * repositories that user may read.
 */
record StatusPage(ClusterStatus cluster, NodeMetrics metrics, TagIndex tags, Upstreams upstreams,
    Executor blockingExecutor) {

  /** How many tags the page lists. */
  static final int TOP_IMAGES = 10;

  /** The page, rendered now, listing the tags of the repositories {@code readable} accepts (per upstream). */
  CompletionStage<HttpResponse> serve(Function<UpstreamName, Predicate<String>> readable) {
    CompletableFuture<Optional<StoreUsage>> usage =
        CompletableFuture.supplyAsync(metrics::storeUsage, blockingExecutor);
    CompletableFuture<Pulls> top = CompletableFuture.supplyAsync(() -> pulls(readable), blockingExecutor);
    return cluster.report().thenCombine(usage.thenCombine(top, Local::new), (report, local) -> {
      byte[] html = StatusPageHtml.render(snapshot(report, local)).getBytes(StandardCharsets.UTF_8);
      return HttpResponse.create()
          .withHeaders(List.of(
              // No script and no outside resource is ever needed: forbid them outright.
              RawHeader.create("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'"),
              RawHeader.create("X-Content-Type-Options", "nosniff"),
              RawHeader.create("Cache-Control", "no-store")))
          .withEntity(HttpEntities.create(ContentTypes.TEXT_HTML_UTF8, html));
    });
  }

  /** What this node reads from its own store for the page. */
  private record Local(Optional<StoreUsage> usage, Pulls pulls) {}

  /** The pulls of the page: by registry, and the most pulled tags. */
  private record Pulls(List<RegistryRow> registries, List<TopImage> topImages) {}

  /**
   * This node's pulls of the repositories {@code readable} accepts: summed by registry (every
   * configured one, by name), and the {@link #TOP_IMAGES} most pulled tags, named
   * as docker names them.
   */
  private Pulls pulls(Function<UpstreamName, Predicate<String>> readable) {
    List<TagIndex.TagPull> pulls = tags.pulls().stream()
        .filter(pull -> readable.apply(pull.upstream()).test(pull.repository())).toList();
    List<RegistryRow> registries = upstreams.names().stream().map(upstream -> {
      List<TagIndex.TagPull> own = pulls.stream().filter(pull -> pull.upstream().equals(upstream)).toList();
      return new RegistryRow(upstreams.registryName(upstream), upstream.value(), own.size(),
          own.stream().mapToLong(TagIndex.TagPull::pulls).sum());
    }).toList();
    List<TopImage> top = pulls.stream()
        .sorted(Comparator.comparingLong(TagIndex.TagPull::pulls).reversed()
            .thenComparing(TagIndex.TagPull::repository).thenComparing(TagIndex.TagPull::tag))
        .limit(TOP_IMAGES)
        .map(pull -> new TopImage(upstreams.registryOf(pull.upstream())
            .map(host -> host + "/" + pull.repository()).orElseGet(() -> RepositoryName.familiar(pull.repository()))
            + ":" + pull.tag(), upstreams.registryName(pull.upstream()), pull.pulls()))
        .toList();
    return new Pulls(registries, top);
  }



  private Snapshot snapshot(ClusterReport report, Local local) {
    Optional<StoreUsage> localUsage = local.usage();
    List<NodeRow> nodes = new ArrayList<>();
    for (ClusterReport.Node member : report.members()) {
      boolean isSelf = member.address().equals(report.self());
      OptionalLong blobs = member.blobs() == null ? OptionalLong.empty() : OptionalLong.of(member.blobs());
      OptionalLong bytes = member.blobBytes() == null ? OptionalLong.empty() : OptionalLong.of(member.blobBytes());
      if (isSelf && localUsage.isPresent()) {
        // This node's own numbers need no round trip through the internal endpoint (which a
        // single node without a cluster secret refuses).
        blobs = OptionalLong.of(localUsage.get().blobs());
        bytes = OptionalLong.of(localUsage.get().bytes());
      }
      nodes.add(new NodeRow(member.address(), member.status(), member.url() == null ? "" : member.url(),
          member.shards().getOrDefault("blob", 0), member.shards().getOrDefault("tag", 0), blobs, bytes, isSelf));
    }
    return new Snapshot(Instant.now(), report.self(), nodes, localUsage, metrics.storeCap(),
        new Ratio(metrics.hits(CacheKind.BLOB), metrics.misses(CacheKind.BLOB)),
        new Ratio(metrics.hits(CacheKind.MANIFEST), metrics.misses(CacheKind.MANIFEST)),
        local.pulls().registries(), local.pulls().topImages(), metrics.recentEvictions());
  }

  /**
   * Everything one rendering of the page shows.
   *
   * @param at when it was taken
   * @param self this node's remoting address
   * @param nodes the cluster's members
   * @param usage this node's store usage, if known
   * @param cap this node's storage cap in bytes, if one is configured
   * @param blobs this node's blob hits and misses since start
   * @param manifests this node's manifest (by tag) hits and misses since start
   * @param registries this node's pulls by registry
   * @param topImages the tags most pulled through this node
   * @param evictions recent evictions, newest first
   */
  record Snapshot(Instant at, String self, List<NodeRow> nodes, Optional<StoreUsage> usage, OptionalLong cap,
      Ratio blobs, Ratio manifests, List<RegistryRow> registries, List<TopImage> topImages,
      List<RecentEviction> evictions) {}

  /**
   * One configured registry.
   *
   * @param registry as people name it: {@code docker.io}, {@code ghcr.io}
   * @param upstream its entry's name under {@code layercake.upstreams}
   * @param tags how many of its tags this node answered pulls of
   * @param pulls those pulls
   */
  record RegistryRow(String registry, String upstream, long tags, long pulls) {}

  /**
   * One of the most pulled tags.
   *
   * @param image as docker names it: {@code redis:7}, {@code ghcr.io/org/app:1}
   * @param registry its registry, as {@link RegistryRow#registry}
   * @param pulls pulls this node answered
   */
  record TopImage(String image, String registry, long pulls) {}

  /**
   * One cluster member.
   *
   * @param address its remoting host:port
   * @param status Up, Joining, Leaving...
   * @param url its advertised registry URL (empty if unknown)
   * @param blobShards blob shards it hosts
   * @param tagShards tag shards it hosts
   * @param blobs blobs on its disk, if it answered
   * @param blobBytes their bytes, if it answered
   * @param self whether it is the node serving the page
   */
  record NodeRow(String address, String status, String url, int blobShards, int tagShards,
      OptionalLong blobs, OptionalLong blobBytes, boolean self) {}

  /**
   * Hits and misses of one kind.
   *
   * @param hits requests answered from the cache
   * @param misses requests that were not
   */
  record Ratio(long hits, long misses) {

    /** The hit ratio, if there was any request. */
    OptionalDouble ratio() {
      long total = hits + misses;
      return total == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) hits / total);
    }
  }
}
