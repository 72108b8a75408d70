package io.layercake.eviction;

import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.regex.Pattern;

/**
 * An image as the operator names it to {@code rmi}, {@code pin} and {@code unpin}, the way docker
 * accepts it: an image ID (12 to 64 hex digits of the manifest digest, as {@code images} prints),
 * or a reference: {@code redis} (tag {@code latest}), {@code redis:7}, {@code library/redis:7},
 * {@code docker.io/library/redis:7}, {@code redis@sha256:<hex>}.
 */
public sealed interface ImageName {

  /**
   * Parses an image name.
   *
   * @throws OciException NAME_INVALID (or TAG_INVALID, DIGEST_INVALID) naming the bad input
   */
  static ImageName parse(String text) {
    if (text == null || text.isBlank()) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", "empty image name");
    }
    if (Id.PATTERN.matcher(text).matches()) {
      return new Id(text.startsWith("sha256:") ? text.substring(7) : text);
    }
    // Everything but an image ID is a docker-style reference: one parser for every verb.
    ImageReference reference = ImageReference.parse(text);
    // Named as docker prints it (redis, not docker.io/library/redis); denotes() matches both forms.
    String familiar = reference.familiar();
    int end = reference.digest().isPresent() ? familiar.indexOf('@') : familiar.lastIndexOf(':');
    RepositoryName repository = RepositoryName.parse(familiar.substring(0, end));
    return reference.digest().isPresent() ? new Reference(repository, null, reference.digest().get())
        : new Reference(repository, reference.tag().orElseThrow(), null);
  }

  /** Whether this name denotes the cached image {@code repository:tag} pointing at {@code manifest}. */
  boolean denotes(String cachedRepository, String cachedTag, Digest manifest);

  /**
   * An image ID: a prefix of the manifest digest's hex.
   *
   * @param prefix 12 to 64 hex digits
   */
  record Id(String prefix) implements ImageName {

    private static final Pattern PATTERN = Pattern.compile("(sha256:)?[0-9a-f]{12,64}");

    @Override
    public boolean denotes(String cachedRepository, String cachedTag, Digest manifest) {
      return manifest.hex().startsWith(prefix);
    }

    @Override
    public String toString() {
      return prefix;
    }
  }

  /**
   * A repository with a tag or a digest.
   *
   * @param repository as named, such as {@code redis}
   * @param tag the tag, or null when named by digest
   * @param digest the manifest digest, or null when named by tag
   */
  record Reference(RepositoryName repository, Tag tag, Digest digest) implements ImageName {

    @Override
    public boolean denotes(String cachedRepository, String cachedTag, Digest manifest) {
      boolean sameRepository = cachedRepository.equals(repository.value())
          || cachedRepository.equals(repository.normalizedForDockerHub().value());
      return sameRepository && (digest != null ? digest.equals(manifest) : cachedTag.equals(tag.value()));
    }

    @Override
    public String toString() {
      return repository + (digest != null ? "@" + digest : ":" + tag);
    }
  }
}
