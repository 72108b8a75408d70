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
 * accepts it: {@code redis} (tag {@code latest}), {@code redis:7}, {@code library/redis:7},
 * {@code docker.io/library/redis:7}, {@code redis@sha256:<hex>}, or an image ID (12 to 64 hex
 * digits of the manifest digest, as {@code images} prints).
 *
 * @param repository the repository, or null for an image ID
 * @param tag the tag, or null when named by digest or ID
 * @param digest the manifest digest, or null when named by tag or ID
 * @param idPrefix the image ID prefix, or null
 */
public record ImageName(RepositoryName repository, Tag tag, Digest digest, String idPrefix) {

  private static final Pattern IMAGE_ID = Pattern.compile("(sha256:)?[0-9a-f]{12,64}");

  /**
   * Parses an image name.
   *
   * @throws OciException NAME_INVALID (or TAG_INVALID, DIGEST_INVALID) naming the bad input
   */
  public static ImageName parse(String text) {
    if (text == null || text.isBlank()) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", "empty image name");
    }
    if (IMAGE_ID.matcher(text).matches()) {
      return new ImageName(null, null, null, text.startsWith("sha256:") ? text.substring(7) : text);
    }
    // Everything but an image ID is a docker-style reference: one parser for every verb.
    ImageReference reference = ImageReference.parse(text);
    // Named as docker prints it (redis, not docker.io/library/redis); denotes() matches both forms.
    String familiar = reference.familiar();
    int end = reference.digest().isPresent() ? familiar.indexOf('@') : familiar.lastIndexOf(':');
    RepositoryName repository = RepositoryName.parse(familiar.substring(0, end));
    return new ImageName(repository, reference.digest().isPresent() ? null : reference.tag().orElseThrow(),
        reference.digest().orElse(null), null);
  }

  /** Whether this name denotes the cached image {@code repository:tag} pointing at {@code manifest}. */
  public boolean denotes(String cachedRepository, String cachedTag, Digest manifest) {
    if (idPrefix != null) {
      return manifest.hex().startsWith(idPrefix);
    }
    boolean sameRepository = cachedRepository.equals(repository.value())
        || cachedRepository.equals(repository.normalizedForDockerHub().value());
    if (!sameRepository) {
      return false;
    }
    return digest != null ? digest.equals(manifest) : cachedTag.equals(tag.value());
  }

  @Override
  public String toString() {
    if (idPrefix != null) {
      return idPrefix;
    }
    return repository + (digest != null ? "@" + digest : ":" + tag);
  }
}
