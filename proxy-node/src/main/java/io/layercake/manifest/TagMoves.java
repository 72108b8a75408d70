package io.layercake.manifest;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.ManifestContent;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Hears of every tag that a tag's entity found pointing at a new manifest. */
@FunctionalInterface
public interface TagMoves {

  /** Hears of nothing. */
  TagMoves NONE = (upstream, repository, tag, previous, current, ahead) -> CompletableFuture.completedFuture(null);

  /**
   * {@code tag} moved from {@code previous} to {@code current}. Called on the entity's thread:
   * start work, do not do it here.
   *
   * @param ahead whether a refresh found it ahead of the fleet's pulls, rather than a pull
   * @return completes when what is fetched ahead has started (the fills run on): a refresh
   *     serves the new manifest only then; a pull does not wait for it
   */
  CompletionStage<Void> moved(UpstreamName upstream, RepositoryName repository, Tag tag, Digest previous,
      ManifestContent current, boolean ahead);
}
