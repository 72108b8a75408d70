package io.layercake.metrics;

/** The kinds of request the node sends upstream, as the {@code kind} label says them. */
public enum UpstreamCall {
  /** A manifest GET, timed until its body is read and verified. */
  MANIFEST,
  /** A manifest HEAD (revalidating a tag; not counted as a pull by Docker Hub). */
  MANIFEST_HEAD,
  /** A blob GET, timed until the response headers: the body is the fill's, not the call's. */
  BLOB,
  /** A tag list GET. */
  TAGS,
  /** A referrers list GET, one per page. */
  REFERRERS,
  /** A bearer token from the upstream's token service. */
  TOKEN
}
