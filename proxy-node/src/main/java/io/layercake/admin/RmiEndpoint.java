package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.eviction.ClusterCache;
import io.layercake.eviction.ImageName;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /admin/rmi?image=NAME[&force=true]}: removes an image from the whole cluster's
 * cache (see {@link ClusterCache#rmi}); 404 if no cached image has the name, 403 if it is pinned
 * or in use and {@code force} is not set.
 */
record RmiEndpoint(ClusterCache cache, ImageResolver resolver) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.POST, Set.of("image", "force"));
    ImageName image = ImageName.parse(query.required("image"), resolver::upstreamOf);
    return cache.rmi(image, query.flag("force")).thenApply(AdminRequest::json);
  }
}
