package io.layercake.eviction;

import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.ImageReference;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * An image as the operator names it to {@code rmi}, {@code pin} and {@code unpin}, the way docker
 * accepts it: an image ID (12 to 64 hex digits of the manifest digest, as {@code images} prints),
 * or a reference: {@code redis} (tag {@code latest}), {@code redis:7}, {@code library/redis:7},
 * {@code docker.io/library/redis:7}, {@code redis@sha256:<hex>}, or one of another registry's,
 * {@code ghcr.io/org/app:1}. A reference names one upstream's image: the same repository and tag
 * from another registry is another image.
 */
public sealed interface ImageName {

  /**
   * Parses an image name; {@code upstreamOf} says which upstream a reference's registry is (and
   * refuses a registry that is not mirrored).
   *
   * @throws OciException NAME_INVALID (or TAG_INVALID, DIGEST_INVALID) naming the bad input
   */
  static ImageName parse(String text, Function<ImageReference, UpstreamName> upstreamOf) {
    if (text == null || text.isBlank()) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid image reference", "empty image name");
    }
    if (Id.PATTERN.matcher(text).matches()) {
      return new Id(text.startsWith("sha256:") ? text.substring(7) : text);
    }
    // Everything but an image ID is a docker-style reference: one parser for every verb.
    ImageReference reference = ImageReference.parse(text);
    return new Reference(text, upstreamOf.apply(reference), reference.repository(), reference.tag().orElse(null),
        reference.digest().orElse(null));
  }

  /**
   * Whether this name denotes the cached image {@code repository:tag} of {@code upstream},
   * pointing at {@code manifest}; a null upstream (a pin recorded before pins named theirs)
   * stands for any.
   */
  boolean denotes(UpstreamName upstream, String repository, String tag, Digest manifest);

  /**
   * An image ID: a prefix of the manifest digest's hex.
   *
   * @param prefix 12 to 64 hex digits
   */
  record Id(String prefix) implements ImageName {

    private static final Pattern PATTERN = Pattern.compile("(sha256:)?[0-9a-f]{12,64}");

    @Override
    public boolean denotes(UpstreamName upstream, String repository, String tag, Digest manifest) {
      return manifest.hex().startsWith(prefix);
    }

    @Override
    public String toString() {
      return prefix;
    }
  }

  /**
   * A repository of one upstream with a tag or a digest.
   *
   * @param text the name as the operator wrote it
   * @param upstream the upstream its registry is
   * @param repository as the registry names it, such as {@code library/redis}
   * @param tag the tag, or null when named by digest
   * @param digest the manifest digest, or null when named by tag
   */
  record Reference(String text, UpstreamName upstream, RepositoryName repository, Tag tag, Digest digest)
      implements ImageName {

    @Override
    public boolean denotes(UpstreamName cachedUpstream, String cachedRepository, String cachedTag,
        Digest manifest) {
      // A default upstream other than Docker Hub caches redis as redis, where the reference
      // grammar reads library/redis.
      boolean sameRepository = cachedRepository.equals(repository.value())
          || cachedRepository.equals(repository.value().replaceFirst("^library/", ""));
      return (cachedUpstream == null || cachedUpstream.equals(upstream)) && sameRepository
          && (digest != null ? digest.equals(manifest) : cachedTag.equals(tag.value()));
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
