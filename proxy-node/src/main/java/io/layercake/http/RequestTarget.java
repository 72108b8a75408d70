package io.layercake.http;

import akka.http.javadsl.model.HttpRequest;
import java.util.Optional;

/**
 * The request target as the client sent it. Akka resolves dot segments while parsing, so a path
 * such as {@code /v2/..} arrives as {@code /}; the operator pages answer only a target that named
 * them as it is, and anything else is left to the registry routes' errors.
 */
final class RequestTarget {

  /** The header Akka adds with {@code akka.http.server.raw-request-uri-header = on}. */
  private static final String RAW_HEADER = "Raw-Request-URI";

  private RequestTarget() {}

  /**
   * Whether the client's target, without its query, is exactly {@code path}. Without the raw
   * header (the setting turned off) the parsed path, {@code parsedPath}, is all there is, and it
   * decides. The caller passes the parsed path because Akka renders it anew on every
   * {@code getUri().path()}, and the hot path renders it once.
   */
  static boolean isExactly(HttpRequest request, String parsedPath, String path) {
    if (!parsedPath.equals(path)) {
      return false;
    }
    Optional<String> raw = request.getHeader(RAW_HEADER).map(header -> header.value());
    if (raw.isEmpty()) {
      return true;
    }
    String target = raw.get();
    int query = target.indexOf('?');
    return (query < 0 ? target : target.substring(0, query)).equals(path);
  }
}
