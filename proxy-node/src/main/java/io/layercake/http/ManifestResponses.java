package io.layercake.http;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import io.layercake.oci.Digest;
import io.layercake.oci.ManifestContent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The answers to manifest requests. Most requests are for a handful of manifests, over and over,
 * and an Akka response is immutable: the plain answers (no {@code Warning}) are kept ready to
 * send, headers and entity built once, so a warm manifest request allocates no response of its
 * own.
 */
final class ManifestResponses {

  /** Ready answers kept; past it they are all dropped and rebuilt as asked (a few microseconds each). */
  private static final int MAX_READY = 4096;

  /** The GET and HEAD answers for one manifest. */
  private record Ready(ManifestContent manifest, HttpResponse get, HttpResponse head) {}

  private final Map<Digest, Ready> ready = new ConcurrentHashMap<>();

  /** The answer to a GET or HEAD of {@code manifest}, with a {@code Warning} unless it is null. */
  HttpResponse respond(boolean head, ManifestContent manifest, String warning) {
    if (warning != null) {
      return build(head, manifest, warning);
    }
    Ready answers = ready.get(manifest.digest());
    // Same digest, same bytes; the media type is upstream's word and is checked too.
    if (answers == null || !answers.manifest().mediaType().equals(manifest.mediaType())) {
      if (ready.size() >= MAX_READY) {
        ready.clear();
      }
      answers = new Ready(manifest, build(false, manifest, null), build(true, manifest, null));
      ready.put(manifest.digest(), answers);
    }
    return head ? answers.head() : answers.get();
  }

  private static HttpResponse build(boolean head, ManifestContent manifest, String warning) {
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(Responses.API_VERSION);
    headers.add(RawHeader.create("Docker-Content-Digest", manifest.digest().toString()));
    headers.add(RawHeader.create("Etag", "\"" + manifest.digest() + "\""));
    if (warning != null) {
      headers.add(RawHeader.create("Warning", warning));
    }
    if (head) {
      headers.add(new HeadContentLength(manifest.bytes().length));
    }
    // Akka never sends the body of a HEAD response.
    return HttpResponse.create()
        .withHeaders(headers)
        .withEntity(HttpEntities.create(Responses.contentType(manifest.mediaType()), manifest.bytes()));
  }
}
