package io.layercake.admin;

import akka.NotUsed;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.stream.javadsl.Source;
import akka.japi.pf.PFBuilder;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Failures;
import io.layercake.Json;
import io.layercake.archive.Descriptor;
import io.layercake.oci.Digest;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/*
 * Implementation notes
 *
 * A prewarm is a pull: the tag goes through its entity, the platform manifests through the
 * manifest store, and every blob through its BlobEntity, which fills it on its owner node from a
 * peer or upstream (once for the whole cluster). This node then reads each blob from the owner as
 * it fills, counting bytes for the progress bar and discarding them: the same bytes a client
 * would have received, and the read ends only when the owner has verified the digest.
 *
 * Blobs that some node already holds are reported "Already exists" without reading them, so a
 * prewarm of a warm image costs a few HEADs.
 *
 * Progress travels as NDJSON, one event per line, so the CLI draws docker's progress bars while
 * the pull runs. Everything that can be refused (bad reference, unknown tag or platform) is
 * refused before the stream starts, as OCI error JSON; after that, a failing blob is an "error"
 * event and the final "done" event counts the errors.
 */

/**
 * {@code POST /admin/pull?image=REF[&platform=os/arch|all]}: prewarms the cache with an image, as
 * a client's pull would, and streams progress as NDJSON events.
 */
final class PullEndpoint {

  /** The NDJSON content type of the progress stream. */
  static final ContentType.WithFixedCharset NDJSON =
      MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8).toContentType();

  private static final int PARALLEL_BLOBS = 3;
  private static final int PROGRESS_PER_SECOND = 5;
  private static final ObjectMapper JSON = Json.MAPPER;

  private final ImageResolver resolver;
  private final ClusterBlobs blobs;

  PullEndpoint(ImageResolver resolver, ClusterBlobs blobs) {
    this.resolver = resolver;
    this.blobs = blobs;
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequests.requireMethod(request, HttpMethods.POST);
    ImageReference image = AdminRequests.image(request);
    String platform = AdminRequests.platform(request);
    return resolver.resolve(image).thenCompose(resolved -> resolver.platforms(resolved, platform)
        .thenApply(platforms -> {
          Map<Digest, Descriptor> unique = new LinkedHashMap<>();
          for (ImageResolver.PlatformImage each : platforms) {
            unique.putIfAbsent(each.config().digest(), each.config());
            each.layers().forEach(layer -> unique.putIfAbsent(layer.digest(), layer));
          }
          List<Digest> configs = platforms.stream().map(p -> p.config().digest()).toList();
          Source<ByteString, NotUsed> events = pull(resolved, List.copyOf(unique.values()), configs);
          return HttpResponse.create().withEntity(HttpEntities.createChunked(NDJSON, events));
        }));
  }

  private Source<ByteString, NotUsed> pull(ImageResolver.ResolvedImage image, List<Descriptor> wanted,
      List<Digest> configs) {
    AtomicBoolean fetched = new AtomicBoolean();
    AtomicInteger errors = new AtomicInteger();
    ObjectNode start = event("start");
    start.put("image", image.reference().familiar());
    start.put("repository", image.repository().value());
    start.put("reference", image.reference().reference().toString());
    start.put("digest", image.top().digest().toString());
    Source<ObjectNode, NotUsed> blobEvents = Source.from(wanted).flatMapMerge(PARALLEL_BLOBS,
        blob -> blobEvents(image, blob, configs.contains(blob.digest()), fetched, errors));
    Source<ObjectNode, NotUsed> done = Source.lazySingle(() -> {
      ObjectNode last = event("done");
      last.put("image", image.reference().familiar());
      last.put("digest", image.top().digest().toString());
      last.put("upToDate", !fetched.get());
      last.put("errors", errors.get());
      return last;
    });
    return Source.single(start).concat(blobEvents).concatLazy(done)
        .map(node -> ByteString.fromString(node.toString() + "\n"));
  }

  private Source<ObjectNode, NotUsed> blobEvents(ImageResolver.ResolvedImage image, Descriptor blob,
      boolean config, AtomicBoolean fetched, AtomicInteger errors) {
    CompletionStage<Source<ObjectNode, NotUsed>> events = blobs.holders(blob.digest()).thenCompose(holders -> {
      if (!holders.isEmpty()) {
        return CompletableFuture.completedFuture(
            Source.single(blobEvent("exists", blob, config)));
      }
      fetched.set(true);
      return blobs.open(image.upstream(), image.repository(), blob.digest())
          .thenApply(opened -> download(blob, config, opened, errors));
    });
    return Source.completionStage(events)
        .flatMapConcat(source -> source)
        .recover(new PFBuilder<Throwable, ObjectNode>()
            .matchAny(error -> failed(blob, config, messageOf(error), errors))
            .build())
        .mapMaterializedValue(m -> NotUsed.getInstance())
        .prepend(Source.single(blobEvent("waiting", blob, config)));
  }

  private Source<ObjectNode, NotUsed> download(Descriptor blob, boolean config, ClusterBlobs.SizedSource opened,
      AtomicInteger errors) {
    AtomicLong received = new AtomicLong();
    Source<ObjectNode, NotUsed> progress = opened.body()
        .map(chunk -> received.addAndGet(chunk.size()))
        .conflate((older, newer) -> newer)
        .throttle(PROGRESS_PER_SECOND, Duration.ofSeconds(1))
        .map(current -> {
          ObjectNode node = blobEvent("progress", blob, config);
          node.put("current", current);
          return node;
        });
    Source<ObjectNode, NotUsed> end = Source.lazySingle(() -> received.get() == blob.size()
        ? blobEvent("complete", blob, config)
        : failed(blob, config, "got " + received.get() + " of " + blob.size() + " bytes", errors));
    return progress.concatLazy(end).recover(new PFBuilder<Throwable, ObjectNode>()
        .matchAny(error -> failed(blob, config,
            "transfer failed after " + received.get() + " bytes: " + messageOf(error), errors))
        .build());
  }

  private static ObjectNode failed(Descriptor blob, boolean config, String message, AtomicInteger errors) {
    errors.incrementAndGet();
    ObjectNode node = blobEvent("error", blob, config);
    node.put("message", blob.digest() + ": " + message);
    return node;
  }

  private static ObjectNode blobEvent(String name, Descriptor blob, boolean config) {
    ObjectNode node = event(name);
    node.put("id", blob.digest().hex().substring(0, 12));
    node.put("digest", blob.digest().toString());
    node.put("kind", config ? "config" : "layer");
    node.put("total", blob.size());
    return node;
  }

  private static ObjectNode event(String name) {
    ObjectNode node = JSON.createObjectNode();
    node.put("event", name);
    return node;
  }

  /** The message of a failure as an error event shows it. */
  static String messageOf(Throwable error) {
    Throwable cause = Failures.unwrap(error);
    return cause instanceof OciException oci ? oci.getMessage() : cause.toString();
  }
}
