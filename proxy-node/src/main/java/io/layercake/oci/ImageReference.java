package io.layercake.oci;

import java.util.Optional;

/**
 * An image as a person types it ({@code redis}, {@code redis:7}, {@code bitnami/redis@sha256:...},
 * {@code docker.io/library/redis:7}), normalised the way docker does: no registry host means
 * Docker Hub ({@code docker.io}), a Docker Hub name without a slash lives under {@code library/},
 * and no tag or digest means {@code latest}.
 *
 * <p>The first path component is a registry host only if it contains a {@code .} or a {@code :},
 * or is {@code localhost}; otherwise it is part of the repository name, as in docker.
 *
 * @param domain the registry host, {@code docker.io} for Docker Hub
 * @param repository the repository on that registry, {@code library/redis}
 * @param tag the tag, if one was given or implied; empty for a reference by digest alone
 * @param digest the manifest digest, if one was given (it wins over the tag when pulling)
 */
public record ImageReference(String domain, RepositoryName repository, Optional<Tag> tag, Optional<Digest> digest) {

  /** Docker Hub's canonical host name in image references. */
  public static final String DOCKER_HUB = "docker.io";

  private static final String DEFAULT_TAG = "latest";
  private static final int MAX_LENGTH = 512;

  /** Validates the parts. */
  public ImageReference {
    if (domain == null || domain.isEmpty() || repository == null || tag == null || digest == null) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", "missing part");
    }
    if (tag.isEmpty() && digest.isEmpty()) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", "needs a tag or a digest");
    }
  }

  /**
   * Parses and normalises an image reference.
   *
   * @throws OciException with {@link ErrorCode#NAME_INVALID} (or the tag's or digest's own error)
   *     naming the bad input
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isBlank() || text.length() > MAX_LENGTH || !text.equals(text.strip())) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", Digest.quote(text));
    }
    String rest = text;
    Optional<Digest> digest = Optional.empty();
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = Optional.of(Digest.parse(rest.substring(at + 1)));
      rest = rest.substring(0, at);
    }
    String domain = DOCKER_HUB;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        domain = first.equals("index.docker.io") || first.equals("registry-1.docker.io") ? DOCKER_HUB : first;
        rest = rest.substring(slash + 1);
      }
    }
    Optional<Tag> tag = Optional.empty();
    int colon = rest.lastIndexOf(':');
    if (colon >= 0 && colon > rest.lastIndexOf('/')) {
      tag = Optional.of(Tag.parse(rest.substring(colon + 1)));
      rest = rest.substring(0, colon);
    } else if (digest.isEmpty()) {
      tag = Optional.of(Tag.parse(DEFAULT_TAG));
    }
    if (rest.isEmpty()) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", Digest.quote(text));
    }
    RepositoryName repository = RepositoryName.parse(rest);
    if (domain.equals(DOCKER_HUB)) {
      repository = repository.normalizedForDockerHub();
    }
    return new ImageReference(domain, repository, tag, digest);
  }

  /** What to ask the registry for: the digest if given, else the tag. */
  public Reference reference() {
    return digest.<Reference>map(Reference.ByDigest::new).orElseGet(() -> new Reference.ByTag(tag.get()));
  }

  /** Whether the registry is Docker Hub. */
  public boolean isDockerHub() {
    return domain.equals(DOCKER_HUB);
  }

  /**
   * The short form docker prints ({@code redis:7}, {@code bitnami/redis:7},
   * {@code ghcr.io/x/y:1}): Docker Hub's host and {@code library/} left out.
   */
  public String familiar() {
    String name = repository.value();
    if (isDockerHub()) {
      name = RepositoryName.familiar(name);
    } else {
      name = domain + "/" + name;
    }
    return name + suffix();
  }

  /** The full form, {@code docker.io/library/redis:7}. */
  @Override
  public String toString() {
    return domain + "/" + repository + suffix();
  }

  private String suffix() {
    return tag.map(t -> ":" + t.value()).orElse("") + digest.map(d -> "@" + d).orElse("");
  }
}
