package io.layercake.http;

import akka.NotUsed;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.metrics.Endpoint;
import io.layercake.metrics.NodeMetrics;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongConsumer;

/**
 * Counts every answered request by endpoint and status, times it until its response is ready,
 * and counts the body bytes of blob, manifest and internal responses. A strict body (a manifest)
 * is counted whole when answered; a streamed body (a blob) is counted as its chunks go out, so a
 * client that disconnects is counted for what it got. Either way the counter is resolved once per
 * response, never per chunk.
 */
record RequestMetrics(NodeMetrics metrics) {

  /**
   * The endpoint a path names. Cheap string tests only: this runs on every request, before the
   * path is validated (a path that turns out invalid is answered with an error all the same).
   */
  static Endpoint classify(String path) {
    if (path.startsWith("/v2/")) {
      if (path.equals("/v2/")) {
        return Endpoint.BASE;
      }
      if (path.equals("/v2/_catalog")) {
        return Endpoint.CATALOG;
      }
      if (path.endsWith("/tags/list")) {
        return Endpoint.TAGS;
      }
      // <name>/blobs/<digest> and <name>/manifests/<reference>: a name may itself contain
      // "blobs" or "manifests", so only the segment before the last one decides.
      int last = path.lastIndexOf('/');
      if (endsAt(path, last, "/blobs")) {
        return Endpoint.BLOB;
      }
      if (endsAt(path, last, "/manifests")) {
        return Endpoint.MANIFEST;
      }
      if (endsAt(path, last, "/referrers")) {
        return Endpoint.REFERRERS;
      }
      return Endpoint.OTHER;
    }
    if (path.startsWith("/internal/")) {
      return Endpoint.INTERNAL;
    }
    if (path.startsWith("/admin/")) {
      return Endpoint.ADMIN;
    }
    if (path.equals("/metrics")) {
      return Endpoint.METRICS;
    }
    if (path.equals("/") || path.equals("/index.html")) {
      return Endpoint.STATUS;
    }
    return Endpoint.OTHER;
  }

  /** Whether {@code path} holds {@code segment} just before index {@code end}, without copying. */
  private static boolean endsAt(String path, int end, String segment) {
    int start = end - segment.length();
    return start >= 0 && path.regionMatches(start, segment, 0, segment.length());
  }

  /**
   * Counts {@code response} to a request that arrived at {@code startNanos} ({@link
   * System#nanoTime}) and returns it, its body counted as it is sent.
   */
  HttpResponse record(Endpoint endpoint, boolean head, long startNanos, HttpResponse response) {
    metrics.requestAnswered(endpoint, response.status().intValue(), System.nanoTime() - startNanos);
    Optional<LongConsumer> bytes = head ? Optional.empty() : metrics.servedBytes(endpoint);
    if (bytes.isEmpty()) {
      return response;
    }
    LongConsumer counter = bytes.get();
    HttpEntity entity = response.entity();
    if (entity.isStrict()) {
      counter.accept(((HttpEntity.Strict) entity).getData().size());
      return response;
    }
    Source<ByteString, Object> counted = entity.getDataBytes().via(counting(counter));
    OptionalLong length = entity.getContentLengthOption();
    return response.withEntity(length.isPresent()
        ? HttpEntities.create(entity.getContentType(), length.getAsLong(), counted)
        : HttpEntities.createChunked(entity.getContentType(), counted));
  }

  private static Flow<ByteString, ByteString, NotUsed> counting(LongConsumer counter) {
    return Flow.of(ByteString.class).map(chunk -> {
      counter.accept(chunk.size());
      return chunk;
    });
  }
}
