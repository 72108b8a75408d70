package io.layercake.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The response shapes of the registry API, with the headers every registry sends. */
final class Responses {

  /** Sent on every response: clients check it on {@code /v2/}. */
  static final HttpHeader API_VERSION = RawHeader.create("Docker-Distribution-API-Version", "registry/2.0");

  private static final Map<String, ContentType> CONTENT_TYPES = new ConcurrentHashMap<>();

  private Responses() {}

  /**
   * The exact content type upstream sent, rendered byte for byte: a binary media type, so that
   * no charset parameter is ever added to what clients compare.
   */
  static ContentType contentType(String mediaType) {
    return CONTENT_TYPES.computeIfAbsent(mediaType, type -> {
      int slash = type.indexOf('/');
      if (slash <= 0 || type.indexOf(';') >= 0) {
        return ContentTypes.APPLICATION_OCTET_STREAM;
      }
      return ContentTypes.create(
          MediaTypes.customBinary(type.substring(0, slash), type.substring(slash + 1), false));
    });
  }

  /** An OCI error response: the status of its code, error JSON, and Retry-After when known. */
  static HttpResponse error(OciException error) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(API_VERSION);
    error.retryAfter().ifPresent(after ->
        headers.add(RawHeader.create("Retry-After", Long.toString(Math.max(1, after.toSeconds())))));
    if (error.code() == ErrorCode.UNSUPPORTED) {
      headers.add(RawHeader.create("Allow", "GET, HEAD"));
    }
    return HttpResponse.create()
        .withStatus(StatusCodes.get(error.code().status()))
        .withHeaders(headers)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, OciErrorJson.render(error)));
  }

  /** A JSON body with status 200. */
  static HttpResponse json(byte[] body, List<HttpHeader> headers) {
    return document(ContentTypes.APPLICATION_JSON, body, headers);
  }

  /** A body of {@code type} with status 200. */
  static HttpResponse document(ContentType type, byte[] body, List<HttpHeader> headers) {
    List<HttpHeader> all = new ArrayList<>(headers);
    all.add(API_VERSION);
    return HttpResponse.create()
        .withHeaders(all)
        .withEntity(HttpEntities.create(type, body));
  }
}
