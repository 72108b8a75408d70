package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Glob;
import io.layercake.eviction.CachedImage;
import io.layercake.eviction.ClusterCache;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /admin/images[?reference=GLOB...]}: the images cached anywhere in the cluster,
 * {@code {"nodes":n,"images":[{"repository","fullRepository","tag","id","size","lastPulled",
 * "pulls","pinned","inUse"}]}}; {@code id} is the manifest digest, {@code lastPulled} epoch
 * milliseconds.
 */
final class ImagesEndpoint {

  private final ClusterCache cache;

  ImagesEndpoint(ClusterCache cache) {
    this.cache = cache;
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    List<Glob> references = AdminRequest.of(request, HttpMethods.GET, Set.of("reference")).references();
    return cache.catalog().thenApply(catalog -> {
      ObjectNode root = CacheJson.JSON.createObjectNode();
      root.put("nodes", catalog.nodes());
      ArrayNode images = root.putArray("images");
      for (CachedImage image : catalog.images()) {
        if (!references.isEmpty() && references.stream().noneMatch(image::matchesReference)) {
          continue;
        }
        images.addObject()
            .put("repository", image.shortRepository())
            .put("fullRepository", image.repository())
            .put("tag", image.tag())
            .put("id", image.manifest().toString())
            .put("size", image.size())
            .put("lastPulled", image.lastPulled())
            .put("pulls", image.pulls())
            .put("pinned", image.pinned())
            .put("inUse", image.inUse());
      }
      return CacheJson.json(root);
    });
  }
}
