package io.layercake.http;

import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import io.layercake.oci.RepositoryName;
import io.layercake.upstream.Upstreams;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/*
 * Implementation notes
 *
 * The cache is content-addressed: a blob or manifest is stored once, whatever repository it was
 * pulled for, and found by digest alone. Read rules name repositories, so a user limited to
 * library/* could otherwise read any cached digest through library/alpine's path. For such a
 * user, a request by digest is served only once upstream has confirmed, with a HEAD under the
 * repository asked for, that the digest belongs there (HEADs are not counted as pulls by Docker
 * Hub). The answer is remembered: confirmed for an hour, refused for a minute, bounded in number,
 * least recently used out first. An upstream that cannot answer fails the request (503): a limit
 * that cannot be checked is not lifted. Users the rules do not limit never reach this class.
 */

/** Whether a digest belongs to a repository, as upstream says: for users whom read rules limit. */
final class RepositoryLinks {

  private static final long CONFIRMED_NANOS = 3_600_000_000_000L;
  private static final long REFUSED_NANOS = 60_000_000_000L;
  private static final int MAX_ENTRIES = 10_000;

  private final Upstreams upstreams;
  private final Map<String, Verdict> known = new LinkedHashMap<>(256, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Verdict> eldest) {
      return size() > MAX_ENTRIES;
    }
  };

  RepositoryLinks(Upstreams upstreams) {
    this.upstreams = upstreams;
  }

  /**
   * Completes when upstream holds {@code digest} in {@code repository}; fails with 404
   * (BLOB_UNKNOWN or MANIFEST_UNKNOWN) when it does not.
   */
  CompletionStage<Void> require(UpstreamName upstream, RepositoryName repository, Digest digest, boolean manifest) {
    String key = upstream + "|" + repository + "|" + digest + (manifest ? "|m" : "|b");
    Verdict verdict = remembered(key);
    if (verdict != null) {
      return verdict.confirmed() ? CompletableFuture.completedFuture(null)
          : CompletableFuture.failedFuture(unknown(repository, digest, manifest));
    }
    CompletionStage<?> asked = manifest
        ? upstreams.get(upstream).headManifest(repository, Reference.parse(digest.toString()))
        : upstreams.get(upstream).headBlob(repository, digest);
    return asked.handle((answer, error) -> {
      if (error == null) {
        remember(key, true);
        return null;
      }
      Throwable cause = Failures.unwrap(error);
      if (cause instanceof OciException oci && (oci.code() == ErrorCode.BLOB_UNKNOWN
          || oci.code() == ErrorCode.MANIFEST_UNKNOWN || oci.code() == ErrorCode.NAME_UNKNOWN)) {
        remember(key, false);
        throw unknown(repository, digest, manifest);
      }
      throw cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    });
  }

  /** What upstream said of a key, or null when it was not asked or the answer expired. */
  private synchronized Verdict remembered(String key) {
    Verdict verdict = known.get(key);
    if (verdict != null && System.nanoTime() - verdict.expiresAt() >= 0) {
      known.remove(key);
      return null;
    }
    return verdict;
  }

  private synchronized void remember(String key, boolean confirmed) {
    known.put(key, new Verdict(confirmed, System.nanoTime() + (confirmed ? CONFIRMED_NANOS : REFUSED_NANOS)));
  }

  private static OciException unknown(RepositoryName repository, Digest digest, boolean manifest) {
    return new OciException(manifest ? ErrorCode.MANIFEST_UNKNOWN : ErrorCode.BLOB_UNKNOWN,
        (manifest ? "manifest" : "blob") + " unknown to repository", repository + "@" + digest);
  }

  /** Upstream's answer for one repository and digest, and when it stops counting ({@link System#nanoTime}). */
  private record Verdict(boolean confirmed, long expiresAt) {}
}
