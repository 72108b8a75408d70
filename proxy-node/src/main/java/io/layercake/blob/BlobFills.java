package io.layercake.blob;

import akka.stream.Materializer;
import io.layercake.oci.Digest;
import io.layercake.oci.RepositoryName;
import io.layercake.storage.BlobStore;
import io.layercake.upstream.UpstreamBlob;
import io.layercake.upstream.Upstreams;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * The fills running on this node. The owning {@link BlobEntity} decides when a fill starts (that
 * is the single flight); this registry is how HTTP requests on the same node find the growing
 * file to stream from.
 */
public final class BlobFills {

  /** The dispatcher that file writes and reads run on. */
  public static final String BLOCKING_DISPATCHER = "layercake.blocking-io-dispatcher";

  private final Map<Digest, BlobFill> running = new ConcurrentHashMap<>();
  private final BlobStore store;
  private final Upstreams upstreams;
  private final BlobSettings settings;
  private final Executor blockingExecutor;
  private final Materializer materializer;

  /** A registry that fills {@code store} from {@code upstreams}. */
  public BlobFills(BlobStore store, Upstreams upstreams, BlobSettings settings,
      Executor blockingExecutor, Materializer materializer) {
    this.store = store;
    this.upstreams = upstreams;
    this.settings = settings;
    this.blockingExecutor = blockingExecutor;
    this.materializer = materializer;
  }

  /** The store the fills commit to. */
  public BlobStore store() {
    return store;
  }

  /** The executor for blocking file work. */
  public Executor blockingExecutor() {
    return blockingExecutor;
  }

  /** The fill of {@code digest} running on this node, if any. */
  public Optional<BlobFill> running(Digest digest) {
    return Optional.ofNullable(running.get(digest));
  }

  /**
   * Asks upstream for the blob and, once it answers with a body, starts filling. Completes when
   * the fill has started (not when it is done), or fails with the upstream's error.
   */
  public CompletionStage<BlobFill> start(String upstream, RepositoryName repository, Digest digest) {
    return upstreams.get(upstream).fetchBlob(repository, digest)
        .thenApplyAsync(response -> begin(digest, response), blockingExecutor);
  }

  private BlobFill begin(Digest digest, UpstreamBlob response) {
    BlobFill fill;
    try {
      fill = BlobFill.start(digest, response.size(), response.body(),
          store.newWriter(digest, response.size()), settings.fillTimeout(),
          BLOCKING_DISPATCHER, blockingExecutor, materializer);
    } catch (RuntimeException e) {
      response.discard();
      throw e;
    }
    running.put(digest, fill);
    fill.completion().whenComplete((stored, error) -> running.remove(digest, fill));
    return fill;
  }
}
