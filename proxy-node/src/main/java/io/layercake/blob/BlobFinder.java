package io.layercake.blob;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import io.layercake.Futures;
import io.layercake.UpstreamName;
import io.layercake.cluster.PeerClient;
import io.layercake.cluster.ResentAsk;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.StoredBlob;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Finds a blob anywhere in the cluster, for the registry's blob endpoint and the admin verbs
 * alike: this node's committed copy first, else the blob's entity, which names the owner that
 * holds or is filling it (and starts the fill, from a peer or upstream, when no node has it), and
 * then the bytes from that owner: its fill or file when the owner is this node, its internal
 * endpoint otherwise.
 */
public final class BlobFinder {

  /** The blob left the node its entity named before it was read: the client retries. */
  public static final OciException MOVING = new OciException(ErrorCode.UNAVAILABLE,
      "blob is moving between nodes, retry", null, Duration.ofSeconds(1));

  private final ActorSystem<?> system;
  private final BlobFills fills;

  /** Finds blobs for the node running {@code system}, whose fills are {@code fills}. */
  public BlobFinder(ActorSystem<?> system, BlobFills fills) {
    this.system = system;
    this.fills = fills;
  }

  /**
   * This node's committed copy, looked up off the calling thread. {@code forPull} records the
   * access (eviction's LRU order); the admin verbs look without touching it.
   */
  public CompletionStage<Optional<StoredBlob>> local(Digest digest, boolean forPull) {
    return CompletableFuture.supplyAsync(
        () -> forPull ? fills.store().findForPull(digest) : fills.store().find(digest), fills.blockingExecutor());
  }

  /**
   * Asks the blob's entity, wherever it lives, to make the blob readable on its owner: a fill
   * starts if no node has it. Sent again while unanswered ({@link ResentAsk}).
   */
  public CompletionStage<BlobReply> fetch(UpstreamName upstream, RepositoryName repository, Digest digest) {
    return ResentAsk.<BlobEntity.Command, BlobReply>ask(entity(digest),
        replyTo -> new BlobEntity.FetchBlob(upstream, repository, replyTo), fills.settings().askTimeout());
  }

  /** Asks the blob's entity where the blob is held or filling, starting nothing. */
  public CompletionStage<BlobReply> locate(Digest digest) {
    return ResentAsk.<BlobEntity.Command, BlobReply>ask(entity(digest), BlobEntity.LocateBlob::new,
        fills.settings().askTimeout());
  }

  /**
   * The whole blob: this node's copy, else from wherever its entity says it is (fetched first if
   * no node has it). Fails with the entity's failure, or {@link #MOVING}.
   */
  public CompletionStage<SizedSource> open(UpstreamName upstream, RepositoryName repository, Digest digest) {
    return local(digest, false).thenCompose(local -> local.isPresent()
        ? CompletableFuture.completedFuture(new SizedSource(local.get().size(), readFile(local.get(), 0, -1)))
        : read(upstream, repository, digest, 0, -1));
  }

  /**
   * Bytes {@code first..last} of the blob ({@code last} -1: to its end), from the node its entity
   * names now: this node's fill or file, or another node's.
   */
  public CompletionStage<SizedSource> read(UpstreamName upstream, RepositoryName repository, Digest digest, long first,
      long last) {
    return fetch(upstream, repository, digest).thenCompose(reply -> {
      if (reply instanceof BlobReply.BlobUncached uncached) {
        throw new OciException(ErrorCode.UNAVAILABLE, "the node that owns the blob has no room to store it",
            uncached.reason(), Duration.ofSeconds(30));
      }
      if (reply instanceof BlobReply.BlobFailure failure) {
        throw failure.failure().toException();
      }
      if (!(reply instanceof BlobReply.BlobLocation location)) {
        throw MOVING;
      }
      long end = last < 0 ? location.size() - 1 : last;
      if (first > end) {
        return CompletableFuture.completedFuture(new SizedSource(0, Source.empty()));
      }
      return isHere(location.ownerUrl())
          ? readHere(digest, first, end)
          : readAt(location.ownerUrl(), digest, first, end, location.size());
    });
  }

  /** The URLs of the nodes that hold a committed copy of the blob (asked in parallel). */
  public CompletionStage<List<String>> holders(Digest digest) {
    PeerClient peers = fills.peers();
    List<CompletionStage<Optional<String>>> answers = new ArrayList<>();
    answers.add(local(digest, false).thenApply(local -> local.map(found -> peers.directory().selfUrl())));
    for (String peer : peers.directory().peerUrls()) {
      answers.add(peers.send(peer, HttpMethods.HEAD, PeerClient.BLOBS_PATH + digest + "?committed=true", List.of())
          .thenApply(response -> {
            peers.discard(response);
            return response.status().intValue() == 200 ? Optional.of(peer) : Optional.<String>empty();
          })
          .exceptionally(error -> Optional.empty()));
    }
    return Futures.all(answers).thenApply(found -> found.stream().flatMap(Optional::stream).toList());
  }

  /**
   * Holds the blob's file against eviction until the returned action runs: taken before a lookup,
   * so the file cannot be deleted between finding and opening it.
   */
  public Runnable lease(Digest digest) {
    return fills.store().lease(digest);
  }

  /** Whether {@code nodeUrl}, as an entity names an owner, is this node. */
  public boolean isHere(String nodeUrl) {
    return fills.peers().directory().isSelf(nodeUrl);
  }

  /**
   * {@code GET} of the blob from its owner's internal endpoint, with {@code headers} (a client's
   * Range). The response's body is the caller's to stream or {@link #discard}.
   */
  public CompletionStage<HttpResponse> fromOwner(String ownerUrl, Digest digest, List<HttpHeader> headers) {
    return fills.peers().send(ownerUrl, HttpMethods.GET, PeerClient.BLOBS_PATH + digest, headers);
  }

  /** Releases an owner's response whose body will not be read. */
  public void discard(HttpResponse response) {
    fills.peers().discard(response);
  }

  private EntityRef<BlobEntity.Command> entity(Digest digest) {
    return ClusterSharding.get(system).entityRefFor(BlobEntity.ENTITY_KEY, digest.toString());
  }

  /**
   * This node owns the blob: the running fill (readable through its own commit) first, then the
   * file. Leased until the body ends, so eviction cannot delete the file between finding it and
   * reading it, and counted as a pull.
   */
  private CompletionStage<SizedSource> readHere(Digest digest, long first, long last) {
    Runnable release = lease(digest);
    Optional<BlobFill> running = fills.running(digest);
    if (running.isPresent()) {
      return CompletableFuture.completedFuture(leased(running.get().read(first, last), last - first + 1, release));
    }
    return local(digest, true).handle((local, error) -> {
      if (error != null || local.isEmpty()) {
        release.run();
        throw MOVING;
      }
      return leased(readFile(local.get(), first, last), last - first + 1, release);
    });
  }

  private static SizedSource leased(Source<ByteString, NotUsed> body, long size, Runnable release) {
    return new SizedSource(size, body.watchTermination((notUsed, done) -> {
      done.whenComplete((ok, error) -> release.run());
      return notUsed;
    }));
  }

  private CompletionStage<SizedSource> readAt(String ownerUrl, Digest digest, long first, long last, long size) {
    boolean whole = first == 0 && last == size - 1;
    List<HttpHeader> range = whole ? List.of() : List.of(RawHeader.create("Range", "bytes=" + first + "-" + last));
    PeerClient peers = fills.peers();
    return peers.send(ownerUrl, HttpMethods.GET, PeerClient.BLOBS_PATH + digest, range).thenApply(response -> {
      if (response.status().intValue() != (whole ? 200 : 206)) {
        peers.discard(response);
        throw MOVING;
      }
      return new SizedSource(last - first + 1,
          response.entity().getDataBytes().mapMaterializedValue(m -> NotUsed.getInstance()));
    });
  }

  /** Bytes {@code first..last} ({@code last} -1: to its end) of a committed file, within the read budget. */
  public Source<ByteString, NotUsed> readFile(StoredBlob blob, long first, long last) {
    long end = last < 0 ? blob.size() - 1 : last;
    return first > end ? Source.empty() : fills.fileReads().ofFile(blob.path(), first, end);
  }

  /**
   * A blob's bytes with their length.
   *
   * @param size the length in bytes
   * @param body the bytes; run once
   */
  public record SizedSource(long size, Source<ByteString, NotUsed> body) {}
}
