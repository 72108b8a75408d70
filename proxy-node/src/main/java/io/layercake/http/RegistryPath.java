package io.layercake.http;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The registry endpoint a request path names. Only the shape is decided here; the repository
 * name, reference and digest are validated by the {@code oci} types before anything uses them.
 *
 * <p>Repository names contain slashes, so the endpoint is found from the end of the path: the
 * last {@code /manifests/<ref>}, {@code /blobs/<digest>}, {@code /referrers/<digest>} or
 * {@code /tags/list}.
 */
public record RegistryPath(Endpoint endpoint, String name, String reference) {

  /** The endpoints of the distribution API that a read-only mirror knows. */
  public enum Endpoint {
    /** {@code /v2/}: the API version check. */
    BASE,
    /** {@code /v2/_catalog}. */
    CATALOG,
    /** {@code /v2/<name>/tags/list}. */
    TAGS,
    /** {@code /v2/<name>/manifests/<reference>}. */
    MANIFEST,
    /** {@code /v2/<name>/blobs/<digest>}. */
    BLOB,
    /** {@code /v2/<name>/referrers/<digest>}: the manifests whose subject is an image. */
    REFERRERS,
    /** {@code /v2/<name>/blobs/uploads/...}: pushing, which a mirror refuses. */
    UPLOAD
  }

  private static final Pattern MANIFEST = Pattern.compile("^/v2/(.+)/manifests/([^/]+)$");
  private static final Pattern UPLOAD = Pattern.compile("^/v2/(.+)/blobs/uploads(/.*)?$");
  private static final Pattern BLOB = Pattern.compile("^/v2/(.+)/blobs/([^/]+)$");
  private static final Pattern TAGS = Pattern.compile("^/v2/(.+)/tags/list$");
  private static final Pattern REFERRERS = Pattern.compile("^/v2/(.+)/referrers/([^/]+)$");

  /** The endpoint of a decoded request path, or empty if it names none. */
  public static Optional<RegistryPath> parse(String path) {
    if (path.equals("/v2") || path.equals("/v2/")) {
      return Optional.of(new RegistryPath(Endpoint.BASE, null, null));
    }
    if (path.equals("/v2/_catalog")) {
      return Optional.of(new RegistryPath(Endpoint.CATALOG, null, null));
    }
    Matcher m = UPLOAD.matcher(path);
    if (m.matches()) {
      return Optional.of(new RegistryPath(Endpoint.UPLOAD, m.group(1), null));
    }
    m = MANIFEST.matcher(path);
    if (m.matches()) {
      return Optional.of(new RegistryPath(Endpoint.MANIFEST, m.group(1), m.group(2)));
    }
    m = BLOB.matcher(path);
    if (m.matches()) {
      return Optional.of(new RegistryPath(Endpoint.BLOB, m.group(1), m.group(2)));
    }
    m = TAGS.matcher(path);
    if (m.matches()) {
      return Optional.of(new RegistryPath(Endpoint.TAGS, m.group(1), null));
    }
    m = REFERRERS.matcher(path);
    if (m.matches()) {
      return Optional.of(new RegistryPath(Endpoint.REFERRERS, m.group(1), m.group(2)));
    }
    return Optional.empty();
  }
}
