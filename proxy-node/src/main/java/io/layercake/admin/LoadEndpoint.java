package io.layercake.admin;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Materializer;
import akka.stream.javadsl.StreamConverters;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.manifest.ManifestContent;
import io.layercake.manifest.TagEntity;
import io.layercake.manifest.TagReply;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StorageException;
import io.layercake.storage.StorageSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * On failure the rest of the upload is drained before the 4xx goes out, so the client reads the
 * error instead of a reset connection.
 */

/** {@code POST /admin/load} with a tar archive as the body: seeds the cache from it. */
final class LoadEndpoint {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ActorSystem<?> system;
  private final ImageServices services;
  private final ImageResolver resolver;
  private final ImageVerbSettings settings;
  private final Path tmpDir;

  LoadEndpoint(ActorSystem<?> system, ImageServices services, ImageResolver resolver, ImageVerbSettings settings) {
    this.system = system;
    this.services = services;
    this.resolver = resolver;
    this.settings = settings;
    this.tmpDir = StorageSettings.fromConfig(system.settings().config()).tmpDir();
  }

  CompletionStage<HttpResponse> serve(HttpRequest request) {
    if (!request.method().equals(HttpMethods.POST)) {
      request.discardEntityBytes(system);
      AdminRequests.requireMethod(request, HttpMethods.POST);
    }
    InputStream upload = request.entity().withoutSizeLimit().getDataBytes()
        .runWith(StreamConverters.asInputStream(settings.uploadIdleTimeout()), Materializer.matFromSystem(system));
    return CompletableFuture.supplyAsync(() -> stage(upload), services.fills().blockingExecutor())
        .thenCompose(staged -> storeAndTag(staged).whenComplete((answer, error) -> staged.releaseLeases().run()));
  }

  /** Reads, checks and commits the archive's blobs; runs on the blocking dispatcher. */
  private Staged stage(InputStream upload) {
    try (InputStream in = upload; ArchiveLoad load = new ArchiveLoad(services.fills().store(), tmpDir,
        settings.maxJsonSize())) {
      try {
        load.read(in);
        ArchiveLoad.Plan plan = load.plan();
        List<Tagging> taggings = taggings(plan);
        ArchiveLoad.Committed committed = load.commit(plan);
        return new Staged(plan, taggings, committed, load.handOverLeases());
      } catch (RuntimeException | IOException e) {
        drain(in);
        throw e;
      }
    } catch (IOException e) {
      throw new OciException(ErrorCode.BLOB_UPLOAD_INVALID, "the upload failed", e.getMessage());
    } catch (StorageException e) {
      throw new OciException(ErrorCode.UNAVAILABLE, "storing the archive failed", e.getMessage());
    }
  }

  /** Where each named image goes; refuses names of unconfigured registries before anything is stored. */
  private List<Tagging> taggings(ArchiveLoad.Plan plan) {
    List<Tagging> taggings = new ArrayList<>();
    for (ArchiveLoad.PlannedImage image : plan.images()) {
      for (ImageReference name : image.names()) {
        if (name.tag().isEmpty() || name.digest().isPresent()) {
          continue;
        }
        String upstream = resolver.upstreamOf(name);
        RepositoryName repository = services.upstreams().canonicalName(upstream, name.repository());
        taggings.add(new Tagging(name, upstream, repository, image.top()));
      }
    }
    return taggings;
  }

  private CompletionStage<HttpResponse> storeAndTag(Staged staged) {
    List<CompletableFuture<?>> stored = new ArrayList<>();
    for (ManifestContent manifest : staged.plan().manifests()) {
      stored.add(services.manifests().keep(manifest).toCompletableFuture());
    }
    return CompletableFuture.allOf(stored.toArray(CompletableFuture[]::new))
        .thenCompose(done -> {
          List<CompletableFuture<TagReply>> tagged = new ArrayList<>();
          for (Tagging tagging : staged.taggings()) {
            tagged.add(tag(tagging).toCompletableFuture());
          }
          return CompletableFuture.allOf(tagged.toArray(CompletableFuture[]::new)).thenApply(all -> {
            for (CompletableFuture<TagReply> reply : tagged) {
              if (reply.join() instanceof TagReply.TagFailure failure) {
                throw failure.failure().toException();
              }
            }
            return AdminRequests.json(report(staged));
          });
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

  private static ObjectNode report(Staged staged) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode images = root.putArray("images");
    for (ArchiveLoad.PlannedImage image : staged.plan().images()) {
      ObjectNode node = images.addObject();
      node.put("digest", image.top().digest().toString());
      node.put("mediaType", image.top().mediaType());
      ArrayNode names = node.putArray("names");
      image.names().forEach(name -> names.add(name.familiar()));
    }
    root.put("blobsStored", staged.committed().blobs());
    root.put("bytesStored", staged.committed().bytes());
    return root;
  }

  private static void drain(InputStream in) {
    try {
      in.transferTo(OutputStream.nullOutputStream());
    } catch (IOException | RuntimeException e) {
      // The client went away or stalled: nobody is left to read the error.
    }
  }

  /**
   * One name to point at a loaded image.
   *
   * @param name the reference as the archive gives it
   * @param upstream the upstream it belongs to
   * @param repository the repository as that upstream names it
   * @param top the manifest or index the tag will point at
   */
  private record Tagging(ImageReference name, String upstream, RepositoryName repository, ManifestContent top) {}

  /**
   * A load whose blobs are committed.
   *
   * @param plan what the archive holds
   * @param taggings the tags to set
   * @param committed what was stored
   */
  private record Staged(ArchiveLoad.Plan plan, List<Tagging> taggings, ArchiveLoad.Committed committed,
      Runnable releaseLeases) {}
}
