package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.eviction.ClusterCache;
import io.layercake.eviction.ImageName;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code /admin/pins}: {@code GET} lists the pins ({@link AdminAnswers.Pins}); {@code POST
 * ?image=NAME} pins a cached image on every node; {@code DELETE ?image=NAME} unpins it. Both
 * answer with the pins added or removed ({@link AdminAnswers.PinChange}).
 */
record PinsEndpoint(ClusterCache cache, ImageResolver resolver) {

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    if (request.method().equals(HttpMethods.GET)) {
      AdminRequest.of(request, HttpMethods.GET, Set.of());
      return cache.catalog().thenApply(catalog ->
          AdminRequest.json(new AdminAnswers.Pins(List.copyOf(catalog.pins().values()))));
    }
    boolean pin = request.method().equals(HttpMethods.POST);
    if (!pin && !request.method().equals(HttpMethods.DELETE)) {
      throw new OciException(ErrorCode.UNSUPPORTED, "use GET, POST or DELETE", request.method().value());
    }
    AdminRequest query = AdminRequest.of(request, request.method(), Set.of("image"));
    ImageName image = ImageName.parse(query.required("image"), resolver::upstreamOf);
    return (pin ? cache.pin(image) : cache.unpin(image))
        .thenApply(images -> AdminRequest.json(new AdminAnswers.PinChange(images)));
  }
}
