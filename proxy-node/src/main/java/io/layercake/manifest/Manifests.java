package io.layercake.manifest;

import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.storage.BlobStore;
import io.layercake.storage.StoredBlob;
import io.layercake.upstream.UpstreamManifest;
import io.layercake.upstream.UpstreamManifestHead;
import io.layercake.upstream.Upstreams;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Manifests as content: fetched from upstream, verified, and stored in the blob store with their
 * media type. A manifest by digest is immutable, so once stored it is served forever; only tags
 * (see {@link TagEntity}) ever go back to upstream.
 */
public final class Manifests {

  private final BlobStore store;
  private final Upstreams upstreams;
  private final Executor blockingExecutor;

  /** Manifests stored in {@code store}, fetched from {@code upstreams}. */
  public Manifests(BlobStore store, Upstreams upstreams, Executor blockingExecutor) {
    this.store = store;
    this.upstreams = upstreams;
    this.blockingExecutor = blockingExecutor;
  }

  /** The stored manifest, if this node has it. */
  public CompletionStage<Optional<StoredBlob>> findLocal(Digest digest) {
    return CompletableFuture.supplyAsync(() -> store.find(digest), blockingExecutor);
  }

  /** The manifest by digest: from the store, or fetched, verified and stored. */
  public CompletionStage<StoredBlob> byDigest(String upstream, RepositoryName repository, Digest digest) {
    return findLocal(digest).thenCompose(found -> found
        .<CompletionStage<StoredBlob>>map(CompletableFuture::completedFuture)
        .orElseGet(() -> fetch(upstream, repository, new Reference.ByDigest(digest))));
  }

  /** Fetches what a tag points at now, and stores it. */
  public CompletionStage<StoredBlob> fetchTag(String upstream, RepositoryName repository, Tag tag) {
    return fetch(upstream, repository, new Reference.ByTag(tag));
  }

  /** Asks upstream where a tag points, without fetching it (no pull is counted). */
  public CompletionStage<UpstreamManifestHead> headTag(String upstream, RepositoryName repository, Tag tag) {
    return upstreams.get(upstream).headManifest(repository, new Reference.ByTag(tag));
  }

  /** Runs a small storage write off the calling (actor) thread. */
  public void runBlocking(Runnable write) {
    CompletableFuture.runAsync(write, blockingExecutor);
  }

  /** The media type of a stored manifest, read from its JSON if the index lost it. */
  public static String mediaTypeOf(StoredBlob manifest, byte[] bytes) {
    if (manifest.mediaType() != null) {
      return manifest.mediaType();
    }
    return MediaTypeSniffer.sniff(bytes).orElseThrow(() -> new OciException(
        ErrorCode.MANIFEST_INVALID, "stored manifest has no media type", manifest.digest().toString()));
  }

  private CompletionStage<StoredBlob> fetch(String upstream, RepositoryName repository, Reference reference) {
    return upstreams.get(upstream).fetchManifest(repository, reference)
        .thenApplyAsync(this::store, blockingExecutor);
  }

  private StoredBlob store(UpstreamManifest manifest) {
    if (!MediaType.isManifestType(manifest.mediaType())) {
      throw new OciException(ErrorCode.MANIFEST_INVALID, "upstream sent an unknown manifest type",
          manifest.mediaType());
    }
    return store.storeBytes(manifest.digest(), manifest.bytes(), manifest.mediaType());
  }
}
