package io.layercake.admin;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.http.javadsl.model.HttpMethods;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.blob.BlobEntity;
import io.layercake.blob.BlobFill;
import io.layercake.blob.BlobReply;
import io.layercake.cluster.PeerClient;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StoredBlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Blobs as the whole cluster holds them, for the image verbs: which nodes hold a blob, and its
 * bytes from wherever they are, fetched through the blob's entity (single flight, peers before
 * upstream) exactly as a client's pull would.
 */
final class ClusterBlobs {

  private final ActorSystem<?> system;
  private final ImageServices services;

  ClusterBlobs(ActorSystem<?> system, ImageServices services) {
    this.system = system;
    this.services = services;
  }

  /** This node's committed copy, looked up off the calling thread. */
  CompletionStage<Optional<StoredBlob>> findLocal(Digest digest) {
    return CompletableFuture.supplyAsync(() -> services.fills().store().find(digest),
        services.fills().blockingExecutor());
  }

  /**
   * The blob's bytes: this node's copy, else from its owner, which fills it (from a peer or
   * upstream) if no node has it yet. The source fails if the blob cannot be had or is corrupt.
   */
  CompletionStage<SizedSource> open(String upstream, RepositoryName repository, Digest digest) {
    return findLocal(digest).thenCompose(local -> {
      if (local.isPresent()) {
        StoredBlob blob = local.get();
        return CompletableFuture.completedFuture(new SizedSource(blob.size(), readFile(blob)));
      }
      return locate(upstream, repository, digest).thenCompose(location -> readAt(location, digest));
    });
  }

  /** Asks the blob's entity to make it readable on its owner (starting a fill if it is cold). */
  CompletionStage<BlobReply.BlobLocation> locate(String upstream, RepositoryName repository, Digest digest) {
    return ClusterSharding.get(system)
        .entityRefFor(BlobEntity.ENTITY_KEY, digest.toString())
        .<BlobReply>ask(replyTo -> new BlobEntity.FetchBlob(upstream, repository, replyTo),
            services.blobSettings().askTimeout())
        .thenApply(reply -> {
          if (reply instanceof BlobReply.BlobUncached uncached) {
            // Prewarming or saving stores nothing anyway on a node whose disk is full.
            throw new OciException(ErrorCode.UNAVAILABLE, "the node that owns the blob has no room to store it",
                uncached.reason(), java.time.Duration.ofSeconds(30));
          }
          if (reply instanceof BlobReply.BlobFailure failure) {
            throw failure.failure().toException();
          }
          return (BlobReply.BlobLocation) reply;
        });
  }

  /** The URLs of the nodes that hold a committed copy of the blob (asked in parallel). */
  CompletionStage<List<String>> holders(Digest digest) {
    PeerClient peers = services.fills().peers();
    List<CompletableFuture<Optional<String>>> answers = new ArrayList<>();
    answers.add(findLocal(digest).toCompletableFuture()
        .thenApply(local -> local.map(found -> peers.directory().selfUrl())));
    for (String peer : peers.directory().peerUrls()) {
      answers.add(peers.send(peer, HttpMethods.HEAD, PeerClient.BLOBS_PATH + digest + "?committed=true", List.of())
          .thenApply(response -> {
            peers.discard(response);
            return response.status().intValue() == 200 ? Optional.of(peer) : Optional.<String>empty();
          })
          .toCompletableFuture()
          .exceptionally(error -> Optional.empty()));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(done -> answers.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList());
  }

  private CompletionStage<SizedSource> readAt(BlobReply.BlobLocation location, Digest digest) {
    PeerClient peers = services.fills().peers();
    if (peers.directory().isSelf(location.ownerUrl())) {
      Optional<BlobFill> running = services.fills().running(digest);
      if (running.isPresent()) {
        BlobFill fill = running.get();
        return CompletableFuture.completedFuture(new SizedSource(fill.size(), fill.size() == 0
            ? Source.empty() : fill.read(0, fill.size() - 1)));
      }
      return findLocal(digest).thenApply(local -> local
          .map(blob -> new SizedSource(blob.size(), readFile(blob)))
          .orElseThrow(() -> moving(digest)));
    }
    return peers.send(location.ownerUrl(), HttpMethods.GET, PeerClient.BLOBS_PATH + digest, List.of())
        .thenApply(response -> {
          if (response.status().intValue() != 200) {
            peers.discard(response);
            throw moving(digest);
          }
          Source<ByteString, NotUsed> body = response.entity().getDataBytes()
              .mapMaterializedValue(m -> NotUsed.getInstance());
          return new SizedSource(location.size(), body);
        });
  }

  private Source<ByteString, NotUsed> readFile(StoredBlob blob) {
    return blob.size() == 0 ? Source.empty() : services.fills().fileReads().ofFile(blob.path(), 0, blob.size() - 1);
  }

  private static OciException moving(Digest digest) {
    return new OciException(ErrorCode.UNAVAILABLE, "blob is moving between nodes, retry", digest.toString());
  }

  /**
   * A blob's bytes with its length.
   *
   * @param size the length in bytes
   * @param body the bytes; run once
   */
  record SizedSource(long size, Source<ByteString, NotUsed> body) {}
}
