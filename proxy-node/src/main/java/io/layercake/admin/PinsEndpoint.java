package io.layercake.admin;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.eviction.ClusterCache;
import io.layercake.eviction.ImageName;
import io.layercake.eviction.PinStore;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * {@code /admin/pins}: {@code GET} lists the pins ({@code {"pins":[{"image","manifest","pinnedAt"}]}});
 * {@code POST ?image=NAME} pins a cached image on every node; {@code DELETE ?image=NAME} unpins it.
 * Both answer {@code {"images":["library/redis:7"]}}, the pins added or removed.
 */
final class PinsEndpoint {

  private final ClusterCache cache;

  PinsEndpoint(ClusterCache cache) {
    this.cache = cache;
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    if (request.method().equals(HttpMethods.GET)) {
      AdminRequest.of(request, HttpMethods.GET, Set.of());
      return cache.catalog().thenApply(catalog -> {
        ObjectNode root = CacheJson.JSON.createObjectNode();
        ArrayNode pins = root.putArray("pins");
        for (PinStore.Pin pin : catalog.pins().values()) {
          pins.addObject().put("image", pin.image()).put("manifest", pin.manifest()).put("pinnedAt", pin.pinnedAt());
        }
        return CacheJson.json(root);
      });
    }
    boolean pin = request.method().equals(HttpMethods.POST);
    if (!pin && !request.method().equals(HttpMethods.DELETE)) {
      throw new OciException(ErrorCode.UNSUPPORTED, "use GET, POST or DELETE", request.method().value());
    }
    AdminRequest query = AdminRequest.of(request, request.method(), Set.of("image"));
    ImageName image = ImageName.parse(query.required("image"));
    return (pin ? cache.pin(image) : cache.unpin(image)).thenApply(PinsEndpoint::images);
  }

  private static HttpResponse images(List<String> images) {
    ObjectNode root = CacheJson.JSON.createObjectNode();
    ArrayNode list = root.putArray("images");
    images.forEach(list::add);
    return CacheJson.json(root);
  }
}
