package io.layercake.admin;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.Pair;
import io.layercake.Glob;
import io.layercake.Json;
import io.layercake.eviction.AgeFilter;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * One admin request, checked: a wrong method is a 405, and unknown parameters, repeated single
 * parameters and malformed values are 400s naming the parameter, never 500s. Every endpoint
 * reads its parameters through this class, so every endpoint is as strict.
 */
final class AdminRequest {

  private final HttpRequest request;

  private AdminRequest(HttpRequest request) {
    this.request = request;
  }

  /** The request, after checking its method and that it names only {@code known} parameters. */
  static AdminRequest of(HttpRequest request, HttpMethod method, Set<String> known) {
    if (!request.method().equals(method)) {
      throw new OciException(ErrorCode.UNSUPPORTED, "use " + method.value(), request.method().value());
    }
    for (Pair<String, String> parameter : request.getUri().query().toList()) {
      if (!known.contains(parameter.first())) {
        throw invalid("unknown parameter '" + parameter.first() + "'",
            known.isEmpty() ? "this endpoint takes none" : "known: " + String.join(", ", new TreeSet<>(known)));
      }
    }
    return new AdminRequest(request);
  }

  /** The one value of a required parameter. */
  String required(String name) {
    return optional(name).orElseThrow(() -> invalid("missing parameter '" + name + "'", null));
  }

  /** The one value of an optional parameter. */
  Optional<String> optional(String name) {
    List<String> values = request.getUri().query().getAll(name);
    if (values.size() > 1) {
      throw invalid("parameter '" + name + "' given more than once", null);
    }
    return values.stream().findFirst();
  }

  /** A {@code true}/{@code false} parameter, false when absent. */
  boolean flag(String name) {
    String value = optional(name).orElse("false");
    if (!value.equals("true") && !value.equals("false")) {
      throw invalid("parameter '" + name + "' must be true or false", value);
    }
    return value.equals("true");
  }

  /** The {@code image} parameters, parsed; at least one is required. */
  List<ImageReference> images() {
    List<String> values = request.getUri().query().getAll("image");
    if (values.isEmpty()) {
      throw invalid("missing parameter 'image'", "add ?image=NAME[:TAG|@DIGEST]");
    }
    return values.stream().map(ImageReference::parse).toList();
  }

  /** The one {@code image} parameter, parsed. */
  ImageReference image() {
    return ImageReference.parse(required("image"));
  }

  /** The {@code platform} parameter, checked; {@code linux/amd64} if absent. */
  String platform() {
    return givenPlatform().orElse(ImageResolver.DEFAULT_PLATFORM);
  }

  /** The {@code platform} parameter, checked, if the request has one. */
  Optional<String> givenPlatform() {
    return optional("platform").map(ImageResolver::checkPlatform);
  }

  /** The {@code reference} patterns, any number of them. */
  List<Glob> references() {
    List<Glob> patterns = new ArrayList<>();
    for (String value : request.getUri().query().getAll("reference")) {
      try {
        patterns.add(new Glob(value));
      } catch (IllegalArgumentException e) {
        throw invalid("invalid reference filter", e.getMessage());
      }
    }
    return patterns;
  }

  /** The {@code until} duration, if given. */
  Optional<Duration> until() {
    return optional("until").map(value -> {
      try {
        return AgeFilter.parse(value);
      } catch (IllegalArgumentException e) {
        throw invalid("invalid until filter", e.getMessage());
      }
    });
  }

  /** A 200 answer with {@code answer} (one of {@link AdminAnswers}' records, say) as its JSON body. */
  static HttpResponse json(Object answer) {
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(answer)));
  }

  private static OciException invalid(String message, String detail) {
    return new OciException(ErrorCode.NAME_INVALID, message, detail);
  }
}
