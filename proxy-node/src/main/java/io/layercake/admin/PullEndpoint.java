package io.layercake.admin;

import akka.NotUsed;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.japi.pf.PFBuilder;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.Failures;
import io.layercake.Json;
import io.layercake.admin.AdminAnswers.PullEvent;
import io.layercake.archive.Descriptor;
import io.layercake.blob.BlobFinder;
import io.layercake.oci.Digest;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * a client's pull would, and streams progress as NDJSON events. With {@code all} or no platform,
 * an upstream that lists {@code platforms} has those prewarmed ({@link ImageResolver#prewarmed}).
 */
record PullEndpoint(ImageResolver resolver, BlobFinder blobs) {

  /** The NDJSON content type of the progress stream. */
  static final ContentType.WithFixedCharset NDJSON =
      MediaTypes.applicationWithFixedCharset("x-ndjson", HttpCharsets.UTF_8).toContentType();

  private static final int PARALLEL_BLOBS = 3;
  private static final int PROGRESS_PER_SECOND = 5;
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    AdminRequest query = AdminRequest.of(request, HttpMethods.POST, Set.of("image", "platform"));
    ImageReference image = query.image();
    return resolver.resolve(image, resolver.prewarmed(image, query.givenPlatform())).thenApply(resolved -> {
      Map<Digest, Descriptor> unique = new LinkedHashMap<>();
      for (ImageResolver.PlatformImage each : resolved.platforms()) {
        unique.putIfAbsent(each.config().digest(), each.config());
        each.layers().forEach(layer -> unique.putIfAbsent(layer.digest(), layer));
      }
      List<Digest> configs = resolved.platforms().stream().map(p -> p.config().digest()).toList();
      Source<ByteString, NotUsed> events = pull(resolved.top(), List.copyOf(unique.values()), configs);
      return HttpResponse.create().withEntity(HttpEntities.createChunked(NDJSON, events));
    });
  }

  private Source<ByteString, NotUsed> pull(ImageResolver.ResolvedImage image, List<Descriptor> wanted,
      List<Digest> configs) {
    AtomicBoolean fetched = new AtomicBoolean();
    AtomicInteger errors = new AtomicInteger();
    String name = image.reference().familiar();
    String digest = image.top().digest().toString();
    PullEvent start = new PullEvent("start", name, image.repository().value(),
        image.reference().reference().toString(), digest, null, null, null, null, null, null, null);
    Source<PullEvent, NotUsed> blobEvents = Source.from(wanted).flatMapMerge(PARALLEL_BLOBS,
        blob -> blobEvents(image, blob, configs.contains(blob.digest()), fetched, errors));
    Source<PullEvent, NotUsed> done = Source.lazySingle(() -> new PullEvent("done", name, null, null, digest,
        !fetched.get(), errors.get(), null, null, null, null, null));
    return Source.single(start).concat(blobEvents).concatLazy(done)
        .map(event -> ByteString.fromArray(Json.bytes(event)).concat(NEWLINE));
  }

  private Source<PullEvent, NotUsed> blobEvents(ImageResolver.ResolvedImage image, Descriptor blob,
      boolean config, AtomicBoolean fetched, AtomicInteger errors) {
    CompletionStage<Source<PullEvent, NotUsed>> events = blobs.holders(blob.digest()).thenCompose(holders -> {
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
        .recover(new PFBuilder<Throwable, PullEvent>()
            .matchAny(error -> failed(blob, config, messageOf(error), errors))
            .build())
        .mapMaterializedValue(m -> NotUsed.getInstance())
        .prepend(Source.single(blobEvent("waiting", blob, config)));
  }

  private Source<PullEvent, NotUsed> download(Descriptor blob, boolean config, BlobFinder.SizedSource opened,
      AtomicInteger errors) {
    AtomicLong received = new AtomicLong();
    Source<PullEvent, NotUsed> progress = opened.body()
        .map(chunk -> received.addAndGet(chunk.size()))
        .conflate((older, newer) -> newer)
        .throttle(PROGRESS_PER_SECOND, Duration.ofSeconds(1))
        .map(current -> blobEvent("progress", blob, config, current, null));
    Source<PullEvent, NotUsed> end = Source.lazySingle(() -> received.get() == blob.size()
        ? blobEvent("complete", blob, config)
        : failed(blob, config, "got " + received.get() + " of " + blob.size() + " bytes", errors));
    return progress.concatLazy(end).recover(new PFBuilder<Throwable, PullEvent>()
        .matchAny(error -> failed(blob, config,
            "transfer failed after " + received.get() + " bytes: " + messageOf(error), errors))
        .build());
  }

  private static PullEvent failed(Descriptor blob, boolean config, String message, AtomicInteger errors) {
    errors.incrementAndGet();
    return blobEvent("error", blob, config, null, blob.digest() + ": " + message);
  }

  private static PullEvent blobEvent(String name, Descriptor blob, boolean config) {
    return blobEvent(name, blob, config, null, null);
  }

  private static PullEvent blobEvent(String name, Descriptor blob, boolean config, Long current, String message) {
    return new PullEvent(name, null, null, null, blob.digest().toString(), null, null,
        blob.digest().hex().substring(0, 12), config ? "config" : "layer", blob.size(), current, message);
  }

  /** The message of a failure as an error event shows it. */
  static String messageOf(Throwable error) {
    Throwable cause = Failures.unwrap(error);
    return cause instanceof OciException oci ? oci.getMessage() : cause.toString();
  }
}
