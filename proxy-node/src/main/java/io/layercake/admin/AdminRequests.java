package io.layercake.admin;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The small pieces every admin endpoint shares: method checks, query parameters, JSON answers. */
final class AdminRequests {

  private AdminRequests() {}

  /** Refuses any method but {@code method} with 405. */
  static void requireMethod(HttpRequest request, HttpMethod method) {
    if (!request.method().equals(method)) {
      throw new OciException(ErrorCode.UNSUPPORTED, "use " + method.value(), request.method().value());
    }
  }

  /** The {@code image} query parameters, parsed; at least one is required. */
  static List<ImageReference> images(HttpRequest request) {
    List<String> values = request.getUri().query().getAll("image");
    if (values.isEmpty()) {
      throw new OciException(ErrorCode.NAME_INVALID, "missing image", "add ?image=NAME[:TAG|@DIGEST]");
    }
    return values.stream().map(ImageReference::parse).toList();
  }

  /** The single {@code image} query parameter, parsed. */
  static ImageReference image(HttpRequest request) {
    List<ImageReference> images = images(request);
    if (images.size() > 1) {
      throw new OciException(ErrorCode.NAME_INVALID, "one image at a time", images.size() + " given");
    }
    return images.get(0);
  }

  /** The {@code platform} query parameter, checked; {@code linux/amd64} if absent. */
  static String platform(HttpRequest request) {
    return ImageResolver.checkPlatform(request.getUri().query().get("platform")
        .orElse(ImageResolver.DEFAULT_PLATFORM));
  }

  /** A 200 answer with a JSON body. */
  static HttpResponse json(JsonNode body) {
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON,
        body.toString().getBytes(StandardCharsets.UTF_8)));
  }
}
