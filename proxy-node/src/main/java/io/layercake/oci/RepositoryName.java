package io.layercake.oci;

import java.util.regex.Pattern;

/**
 * A repository name such as {@code library/redis}, validated to the distribution spec's grammar:
 * slash-separated components of lowercase alphanumerics joined by {@code .}, {@code _},
 * {@code __} or runs of {@code -}. The grammar forbids empty components, {@code .} and {@code ..}
 * on its own, so a valid name is always a safe relative path.
 */
public record RepositoryName(String value) {

  /** Docker Hub caps repository names at 255 characters. */
  public static final int MAX_LENGTH = 255;

  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*");

  /** Validates the name. */
  public RepositoryName {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
      throw new OciException(ErrorCode.NAME_INVALID, "invalid repository name", Digest.quote(value));
    }
    for (String component : value.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw new OciException(
            ErrorCode.NAME_INVALID, "invalid repository name", Digest.quote(value));
      }
    }
  }

  /**
   * Parses a name as a client sent it.
   *
   * @throws OciException with {@link ErrorCode#NAME_INVALID} naming the bad input
   */
  public static RepositoryName parse(String text) {
    return new RepositoryName(text);
  }

  /**
   * The name as Docker Hub knows it: official images live under {@code library/}, so
   * {@code redis} becomes {@code library/redis}. Names with a slash are unchanged.
   */
  public RepositoryName normalizedForDockerHub() {
    return value.contains("/") ? this : new RepositoryName("library/" + value);
  }

  /** A Docker Hub name as docker prints it: {@code redis} for {@code library/redis}. */
  public static String familiar(String name) {
    return name.startsWith("library/") && name.indexOf('/', "library/".length()) < 0
        ? name.substring("library/".length()) : name;
  }

  @Override
  public String toString() {
    return value;
  }
}
