package io.layercake.manifest;

import io.layercake.ThrottledLog;
import io.layercake.UpstreamName;
import io.layercake.cluster.PeerClient;
import io.layercake.metrics.NodeMetrics;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.storage.BlobStore;
import io.layercake.storage.StorageException;
import io.layercake.storage.StoredBlob;
import io.layercake.upstream.PullKind;
import io.layercake.upstream.UpstreamManifestHead;
import io.layercake.upstream.Upstreams;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifests as content: fetched from upstream, verified, and stored in the blob store with their
 * media type. A manifest by digest is immutable, so once stored it is served forever; only tags
 * (see {@link TagEntity}) ever go back to upstream.
 */
public final class Manifests {

  private static final Logger LOG = LoggerFactory.getLogger(Manifests.class);
  /** A full disk refuses every manifest: one line a minute says so. */
  private static final ThrottledLog NOT_STORED = new ThrottledLog(java.time.Duration.ofMinutes(1));

  private final BlobStore store;
  private final Upstreams upstreams;
  private final PeerClient peers;
  private final Executor blockingExecutor;
  private final long maxManifestSize;
  private final ManifestCache memory;
  private final NodeMetrics metrics;
  private final Map<Digest, CompletableFuture<ManifestContent>> loading = new ConcurrentHashMap<>();

  /**
   * Manifests stored in {@code store}, fetched from peers or {@code upstreams}, the most recently
   * used also in {@code memory}.
   */
  public Manifests(BlobStore store, Upstreams upstreams, PeerClient peers, Executor blockingExecutor,
      long maxManifestSize, ManifestCache memory, NodeMetrics metrics) {
    this.store = store;
    this.metrics = metrics;
    this.memory = memory;
    this.upstreams = upstreams;
    this.peers = peers;
    this.blockingExecutor = blockingExecutor;
    this.maxManifestSize = maxManifestSize;
  }

  /**
   * The stored manifest, if this node has it. A stored blob that is not a manifest (a layer or a
   * config asked for under /manifests/) is not one: it is never read into memory.
   */
  public CompletionStage<Optional<ManifestContent>> findLocal(Digest digest) {
    Optional<ManifestContent> inMemory = memory.get(digest);
    if (inMemory.isPresent()) {
      return CompletableFuture.completedFuture(inMemory);
    }
    return CompletableFuture.supplyAsync(() -> {
      Optional<ManifestContent> found = store.find(digest).flatMap(this::load);
      found.ifPresent(memory::put);
      return found;
    }, blockingExecutor);
  }

  /**
   * The manifest by digest: from this node's store, else from a peer that holds it, else fetched
   * from upstream; verified and stored here either way.
   */
  public CompletionStage<ManifestContent> byDigest(UpstreamName upstream, RepositoryName repository, Digest digest) {
    return byDigest(upstream, repository, digest, PullKind.USER);
  }

  /** The same, fetched from upstream (if it must be) as {@code kind}, which the pull budget may refuse. */
  public CompletionStage<ManifestContent> byDigest(UpstreamName upstream, RepositoryName repository, Digest digest,
      PullKind kind) {
    Optional<ManifestContent> inMemory = memory.get(digest);
    if (inMemory.isPresent()) {
      return CompletableFuture.completedFuture(inMemory.get());
    }
    // Single flight per node: a burst of pulls of one platform manifest makes one fetch.
    CompletableFuture<ManifestContent> mine = new CompletableFuture<>();
    CompletableFuture<ManifestContent> inFlight = loading.putIfAbsent(digest, mine);
    if (inFlight != null) {
      return inFlight;
    }
    lookUp(upstream, repository, digest, kind).whenComplete((manifest, error) -> {
      loading.remove(digest, mine);
      if (error != null) {
        mine.completeExceptionally(error);
      } else {
        mine.complete(manifest);
      }
    });
    return mine;
  }

  private CompletionStage<ManifestContent> lookUp(UpstreamName upstream, RepositoryName repository, Digest digest,
      PullKind kind) {
    return findLocal(digest).thenCompose(found -> {
      if (found.isPresent()) {
        return CompletableFuture.completedFuture(found.get());
      }
      return peers.manifestFromPeers(digest).thenCompose(fromPeer -> fromPeer
          .<CompletionStage<ManifestContent>>map(m -> CompletableFuture.supplyAsync(
              () -> store(m.digest(), m.mediaType(), m.bytes()), blockingExecutor))
          .orElseGet(() -> fetch(upstream, repository, new Reference.ByDigest(digest), kind)));
    });
  }

  /**
   * What another node knows of a tag, with its manifest: for a tag entity that has just moved to
   * this node and has no history here. Empty if no peer knows the tag (or any step fails: then
   * the caller simply asks upstream).
   */
  public CompletionStage<Optional<KnownTag>> tagFromPeers(UpstreamName upstream, RepositoryName repository, Tag tag) {
    return peers.tagFromPeers(upstream, repository.value(), tag.value()).thenCompose(found -> {
      if (found.isEmpty()) {
        return CompletableFuture.completedFuture(Optional.<KnownTag>empty());
      }
      PeerClient.PeerTag known = found.get();
      return byDigest(upstream, repository, known.digest())
          .thenApply(manifest -> Optional.of(new KnownTag(manifest, known.validatedAt())));
    }).exceptionally(error -> Optional.empty());
  }

  /**
   * A tag as another node knew it.
   *
   * @param manifest the manifest it pointed at
   * @param validatedAt when upstream last confirmed it, epoch milliseconds
   */
  public record KnownTag(ManifestContent manifest, long validatedAt) {}

  /** Fetches what a tag points at now, as {@code kind}, and stores it. */
  public CompletionStage<ManifestContent> fetchTag(UpstreamName upstream, RepositoryName repository, Tag tag,
      PullKind kind) {
    return fetch(upstream, repository, new Reference.ByTag(tag), kind);
  }

  /**
   * Whether {@code upstream}'s pull budget is below the reserve kept for clients, or spent: a
   * cached tag is then served as cached rather than revalidated.
   */
  public boolean budgetLow(UpstreamName upstream) {
    return upstreams.get(upstream).budgetLow();
  }

  /**
   * Keeps a manifest another node resolved, so that this node answers later requests by digest
   * itself. The bytes are verified against the digest before they are stored.
   */
  public CompletionStage<ManifestContent> keep(ManifestContent manifest) {
    // The disk decides, not the memory cache: eviction, rmi and prune delete manifest files while
    // a copy may still sit in memory, and a kept manifest (a load, a tag) must be on disk.
    return CompletableFuture.supplyAsync(() -> store.find(manifest.digest()).isPresent()
        ? manifest
        : store(manifest.digest(), manifest.mediaType(), manifest.bytes()), blockingExecutor);
  }

  /** Asks upstream where a tag points, without fetching it (no pull is counted). */
  public CompletionStage<UpstreamManifestHead> headTag(UpstreamName upstream, RepositoryName repository, Tag tag,
      PullKind kind) {
    return upstreams.get(upstream).headManifest(repository, new Reference.ByTag(tag), kind);
  }

  /** Whether the data volume is at its floor (layercake.storage.min-free): write nothing more. */
  public boolean diskLow() {
    return store.space().low();
  }

  /** Runs a small storage write off the calling (actor) thread. */
  public void runBlocking(Runnable write) {
    CompletableFuture.runAsync(write, blockingExecutor);
  }

  private Optional<ManifestContent> load(StoredBlob stored) {
    boolean typed = stored.mediaType() != null;
    if (stored.size() > maxManifestSize || (typed && !MediaType.isManifestType(stored.mediaType()))) {
      return Optional.empty();
    }
    try {
      // Hashed as read (a manifest is small, and read once into the memory cache): a file whose
      // bytes are not its digest's is quarantined, and the manifest is fetched again.
      Optional<byte[]> read = store.readVerified(stored);
      if (read.isEmpty()) {
        return Optional.empty();
      }
      byte[] bytes = read.get();
      // Untyped: a layer or config, or a manifest whose index entry a crash lost; only the
      // latter declares a manifest type in its JSON.
      Optional<String> mediaType = typed ? Optional.of(stored.mediaType()) : MediaTypeSniffer.sniff(bytes);
      return mediaType.map(type -> new ManifestContent(stored.digest(), type, bytes));
    } catch (IOException e) {
      throw new OciException(ErrorCode.UNAVAILABLE, "manifest could not be read, retry",
          stored.digest().toString());
    }
  }

  private CompletionStage<ManifestContent> fetch(UpstreamName upstream, RepositoryName repository,
      Reference reference, PullKind kind) {
    return upstreams.get(upstream).fetchManifest(repository, reference, kind)
        .thenApplyAsync(m -> store(m.digest(), m.mediaType(), m.bytes()), blockingExecutor);
  }

  /**
   * Stores a manifest and keeps it in memory. With no room on the disk (min-free reached, or the
   * write failing for space), it is verified and kept in memory only: a full disk must not fail a
   * pull, and the manifest is stored the next time it is fetched.
   */
  private ManifestContent store(Digest digest, String mediaType, byte[] bytes) {
    if (!MediaType.isManifestType(mediaType)) {
      throw new OciException(ErrorCode.MANIFEST_INVALID, "not a manifest media type", mediaType);
    }
    boolean stored = false;
    if (store.space().fits(bytes.length)) {
      try {
        store.storeBytes(digest, bytes, mediaType);
        stored = true;
      } catch (StorageException e) {
        NOT_STORED.warn(LOG, "Manifest " + digest + " not stored, kept in memory: " + e.getMessage());
      }
    } else {
      NOT_STORED.warn(LOG, "Manifest " + digest + " not stored, kept in memory: the data volume is at"
          + " layercake.storage.min-free");
    }
    if (!stored) {
      // storeBytes verifies what it writes; what it does not write is verified here.
      requireDigest(digest, bytes);
      metrics.uncached(NodeMetrics.Uncached.MANIFEST);
    }
    ManifestContent manifest = new ManifestContent(digest, mediaType, bytes);
    memory.put(manifest);
    return manifest;
  }

  private static void requireDigest(Digest digest, byte[] bytes) {
    Digest actual = Digest.sha256Of(bytes);
    if (!actual.equals(digest)) {
      throw new OciException(ErrorCode.DIGEST_INVALID, "manifest bytes do not match their digest",
          digest + " is not " + actual);
    }
  }
}
