package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.Glob;
import io.layercake.eviction.ClusterCache;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /admin/images[?reference=GLOB...]}: the images cached anywhere in the cluster, as
 * {@link AdminAnswers.Images}.
 */
record ImagesEndpoint(ClusterCache cache) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    List<Glob> references = AdminRequest.of(request, HttpMethods.GET, Set.of("reference")).references();
    return cache.catalog().thenApply(catalog -> AdminRequest.json(new AdminAnswers.Images(catalog.nodes(),
        catalog.images().stream()
            .filter(image -> references.isEmpty() || references.stream().anyMatch(glob ->
                image.matchesReference(glob, cache.registryOf(image.upstream()))))
            .map(image -> new AdminAnswers.Image(image.familiarRepository(cache.registryOf(image.upstream())),
                image.repository(), image.tag(), image.manifest().toString(), image.size(), image.lastPulled(),
                image.pulls(), image.pinned(), image.inUse(), image.upstream().value()))
            .toList())));
  }
}
