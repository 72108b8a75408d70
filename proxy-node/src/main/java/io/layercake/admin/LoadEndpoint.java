package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Materializer;
import akka.stream.javadsl.StreamConverters;
import io.layercake.Failures;
import io.layercake.Futures;
import io.layercake.UpstreamName;
import io.layercake.archive.ArchivePlanner;
import io.layercake.manifest.TagEntity;
import io.layercake.manifest.TagReply;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StorageSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;

/*
 * Implementation notes
 *
 * The upload is consumed as an InputStream on the blocking dispatcher (Akka's stream-to-stream
 * bridge applies backpressure: the socket is read only as fast as blobs are written), so a
 * many-GB archive never sits in memory. See ArchiveLoad for the two phases.
 *
 * Loaded content is cache content like any other: blobs in the store, manifests stored with
 * their media types, and each tag pointed at its manifest through the tag's entity with the same
 * TagResolved event an upstream fetch records, validated now. Until the tag TTL passes the tag is
 * served without asking upstream; after that it is revalidated like any cached tag (and served
 * stale if upstream is unreachable).
 *
 * Blobs are stored on the node that receives the archive, not on their owners: any other node
 * that needs one gets it from here the way a new owner does after a rebalance (peers before
 * upstream).
 *
 * On failure the rest of the upload is drained (for about upload-idle-timeout at most) before the
 * 4xx goes out, so the client reads the error instead of a reset connection; a stalled or broken
 * upload is not waited for (Upload).
 *
 * Limits: at most max-concurrent-loads run at once, each holding a blocking thread while it reads
 * (the pool is shared with fills and the journal); their memory comes from one LoadMemory; and a
 * stalled body frees its thread within upload-idle-timeout. Whatever fails, the answer is a 4xx
 * for the archive's faults or a 503 for the node's (LoadFailure), never a 500.
 */

/** {@code POST /admin/load} with a tar archive as the body: seeds the cache from it. */
final class LoadEndpoint {

  /** What a load refused for want of a free slot is told to wait. */
  private static final Duration BUSY_RETRY_AFTER = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ImageServices services;
  private final ImageResolver resolver;
  private final ImageVerbSettings settings;
  private final Path tmpDir;
  private final LoadMemory memory;
  private final Semaphore slots;

  LoadEndpoint(ActorSystem<?> system, ImageServices services, ImageResolver resolver, ImageVerbSettings settings) {
    this.system = system;
    this.services = services;
    this.resolver = resolver;
    this.settings = settings;
    this.tmpDir = StorageSettings.fromConfig(system.settings().config()).tmpDir();
    this.memory = new LoadMemory(settings.maxLoadMemory());
    this.slots = new Semaphore(settings.maxConcurrentLoads());
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    try {
      AdminRequest.of(request, HttpMethods.POST, Set.of());
    } catch (OciException refused) {
      request.discardEntityBytes(system);
      throw refused;
    }
    if (!slots.tryAcquire()) {
      request.discardEntityBytes(system);
      throw new OciException(ErrorCode.UNAVAILABLE, "too many loads at once",
          "at most " + settings.maxConcurrentLoads() + " run together (" + ImageVerbSettings.MAX_CONCURRENT_LOADS
              + ")", BUSY_RETRY_AFTER);
    }
    LoadMemory.Account account = memory.open();
    Runnable done = () -> {
      account.close();
      slots.release();
    };
    try {
      OptionalLong length = request.entity().getContentLengthOption();
      Upload upload = new Upload(request.entity().withoutSizeLimit().getDataBytes()
          .runWith(StreamConverters.asInputStream(settings.uploadIdleTimeout()), Materializer.matFromSystem(system)),
          settings.uploadIdleTimeout());
      return CompletableFuture.supplyAsync(() -> stage(upload, length, account), services.blocking())
          .thenCompose(staged -> storeAndTag(staged).whenComplete((answer, error) -> staged.releaseLeases().run()))
          .handle((answer, error) -> {
            done.run();
            if (error != null) {
              throw LoadFailure.answer(Failures.unwrap(error));
            }
            return answer;
          });
    } catch (RuntimeException e) {
      done.run();
      throw e;
    }
  }

  /** Reads, checks and commits the archive's blobs; runs on the blocking dispatcher. */
  private Staged stage(Upload upload, OptionalLong length, LoadMemory.Account account) {
    try (upload) {
      try (ArchiveLoad load = new ArchiveLoad(services.store(), tmpDir, settings, account)) {
        load.read(upload, length);
        // The reader stops at the archive's first end block; the second, and any record padding a
        // writer adds, are still on the wire. Read them before answering: a node that answers
        // and closes with a body unread resets the connection, and a client still sending (a
        // pipe from 'layercake save') then loses the answer.
        upload.drain();
        ArchivePlanner.Plan plan = load.plan();
        List<Tagging> taggings = taggings(plan);
        ArchiveLoad.Committed committed = load.commit(plan);
        return new Staged(plan, taggings, committed, load.handOverLeases());
      } catch (RuntimeException | IOException e) {
        // The load is closed by now (its temp files gone); the client may still be sending.
        upload.drain();
        throw e;
      }
    } catch (Throwable e) {
      // Errors included: a load never answers 500 (see LoadFailure).
      throw LoadFailure.answer(e);
    }
  }

  /** Where each named image goes; refuses names of unconfigured registries before anything is stored. */
  private List<Tagging> taggings(ArchivePlanner.Plan plan) {
    List<Tagging> taggings = new ArrayList<>();
    for (ArchivePlanner.PlannedImage image : plan.images()) {
      for (ImageReference name : image.names()) {
        if (name.tag().isEmpty() || name.digest().isPresent()) {
          continue;
        }
        UpstreamName upstream = resolver.upstreamOf(name);
        RepositoryName repository = services.upstreams().canonicalName(upstream, name.repository());
        taggings.add(new Tagging(name, upstream, repository, image.top()));
      }
    }
    return taggings;
  }

  private CompletionStage<HttpResponse> storeAndTag(Staged staged) {
    return Futures.all(staged.plan().manifests().stream().map(services.manifests()::keep).toList())
        .thenCompose(stored -> Futures.all(staged.taggings().stream().map(this::tag).toList()))
        .thenApply(replies -> {
          for (TagReply reply : replies) {
            if (reply instanceof TagReply.TagFailure failure) {
              throw failure.failure().toException();
            }
          }
          return AdminRequest.json(report(staged));
        });
  }

  private CompletionStage<TagReply> tag(Tagging tagging) {
    ManifestContent top = tagging.top();
    return ClusterSharding.get(system)
        .entityRefFor(TagEntity.ENTITY_KEY,
            TagEntity.entityId(tagging.upstream(), tagging.repository(), tagging.name().tag().orElseThrow()))
        .ask(replyTo -> new TagEntity.LoadTag(top.digest().toString(), top.mediaType(), top.bytes(), replyTo),
            services.manifestSettings().askTimeout());
  }

  private static AdminAnswers.Load report(Staged staged) {
    return new AdminAnswers.Load(staged.plan().images().stream()
        .map(image -> new AdminAnswers.LoadedImage(image.top().digest().toString(), image.top().mediaType(),
            image.names().stream().map(ImageReference::familiar).toList()))
        .toList(), staged.committed().blobs(), staged.committed().bytes());
  }

  /**
   * One name to point at a loaded image.
   *
   * @param name the reference as the archive gives it
   * @param upstream the upstream it belongs to
   * @param repository the repository as that upstream names it
   * @param top the manifest or index the tag will point at
   */
  private record Tagging(ImageReference name, UpstreamName upstream, RepositoryName repository, ManifestContent top) {}

  /**
   * A load whose blobs are committed.
   *
   * @param plan what the archive holds
   * @param taggings the tags to set
   * @param committed what was stored
   */
  private record Staged(ArchivePlanner.Plan plan, List<Tagging> taggings, ArchiveLoad.Committed committed,
      Runnable releaseLeases) {}
}
