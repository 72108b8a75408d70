package io.layercake.admin;

import akka.NotUsed;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.Pair;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.Json;
import io.layercake.events.CacheEvent;
import io.layercake.events.EventLog;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /admin/events[?from=OFFSET][&follow=false]}: the cluster's events as this node logged
 * them, as NDJSON, one {@link CacheEvent} per line, from offset {@code from} on (the oldest kept if
 * it is absent or older). It follows the log like {@code docker events}, sending a blank line every
 * {@link #HEARTBEAT} without one so that proxies keep the connection; {@code follow=false} ends
 * after the events logged so far. A consumer resumes after the last offset it read with {@code
 * from=offset+1}.
 */
record EventsEndpoint(EventLog log, Executor blocking) {

  static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final int BATCH = 256;
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.GET, Set.of("from", "follow"));
    long from = query.optional("from").map(EventsEndpoint::offset).orElse(1L);
    boolean follow = query.optional("follow").isEmpty() || query.flag("follow");
    long end = log.nextOffset();
    Source<ByteString, NotUsed> lines = Source.unfoldAsync(from, next -> {
      if (!follow && next >= end) {
        return CompletableFuture.completedFuture(Optional.empty());
      }
      CompletionStage<Void> more = follow
          ? log.awaitOffset(next).toCompletableFuture().copy()
              .completeOnTimeout(null, HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS)
          : CompletableFuture.completedFuture(null);
      return more.thenApplyAsync(ignored -> {
        List<CacheEvent> events = log.read(next, BATCH);
        long after = events.isEmpty() ? next : events.get(events.size() - 1).offset() + 1;
        if (!follow && events.isEmpty()) {
          return Optional.<Pair<Long, ByteString>>empty();
        }
        ByteString chunk = events.isEmpty() ? NEWLINE : events.stream()
            .map(event -> ByteString.fromArray(Json.bytes(event)).concat(NEWLINE))
            .reduce(ByteString.emptyByteString(), ByteString::concat);
        return Optional.of(Pair.create(after, chunk));
      }, blocking);
    });
    return CompletableFuture.completedFuture(
        HttpResponse.create().withEntity(HttpEntities.createChunked(PullEndpoint.NDJSON, lines)));
  }

  private static long offset(String value) {
    try {
      long offset = Long.parseLong(value);
      if (offset >= 0) {
        return offset;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new OciException(ErrorCode.NAME_INVALID, "parameter 'from' must be an offset (a whole number)", value);
  }
}
