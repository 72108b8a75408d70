package io.layercake.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.HeaderText;
import io.layercake.Json;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.Reference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Decides what a manifest request gets, from its {@code Accept} headers and the media type of the
 * stored manifest, so that each client receives what Docker Hub (which runs the distribution
 * registry) would give it. The mirror never re-serialises a manifest: it serves the stored bytes,
 * serves the linux/amd64 manifest of a stored index instead, or refuses.
 *
 * <p>The rules, in order:
 *
 * <ol>
 *   <li>A request by digest is always served as is: it is content-addressed, the client asked for
 *       exactly these bytes, and anything else would not match the digest it will check.
 *   <li>No usable {@code Accept}, {@code *}{@code /*}, {@code application/*}, or only {@code
 *       application/json}: served as is. curl and plain HTTP clients send these and want the
 *       bytes; every manifest is JSON.
 *   <li>A type the client accepts is served as is.
 *   <li>An OCI manifest the client does not accept: refused, as distribution does.
 *   <li>An OCI index the client does not accept, by tag: the linux/amd64 manifest when the client
 *       accepts a single-manifest type (OCI or Docker schema 2), else refused.
 *   <li>A Docker manifest list the client does not accept, by tag: the linux/amd64 manifest, as
 *       distribution does for clients that predate manifest lists.
 *   <li>A Docker schema 2 manifest the client does not accept: refused when the client accepts
 *       schema 1 (an old client that would choke on schema 2), otherwise served as is, schema 2
 *       being every registry's default format. The mirror never converts to schema 1: Docker Hub
 *       dropped schema 1, and a converted manifest would need a signature and a digest that
 *       upstream never produced.
 *   <li>Any other type (schema 1, artifacts): served as is; there is nothing to convert it to.
 * </ol>
 *
 * <p>When the answer is {@link Decision#SERVE_PLATFORM_MANIFEST}, the caller finds the digest
 * with {@link #defaultPlatformDigest}, loads that manifest, and checks it again with {@link
 * #decidePlatformManifest}. Refusals answer 404 MANIFEST_UNKNOWN, built by {@link
 * #notAcceptable}.
 */
public final class ManifestNegotiation {

  private static final String DEFAULT_OS = "linux";
  private static final String DEFAULT_ARCHITECTURE = "amd64";

  /** The annotation buildx puts on the attestation entries of an index. */
  private static final String REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";

  private ManifestNegotiation() {}

  /** What to answer a manifest request with. */
  public enum Decision {
    /** Send the stored manifest, its bytes, media type and digest unchanged. */
    SERVE_AS_IS,
    /**
     * The stored manifest is an index the client does not accept: send the index's linux/amd64
     * manifest instead, after checking it with {@link #decidePlatformManifest}.
     */
    SERVE_PLATFORM_MANIFEST,
    /** Answer {@link #notAcceptable(String)}: the client accepts nothing the mirror can send. */
    NOT_ACCEPTABLE
  }

  /**
   * The media types a request accepts, parsed from all its {@code Accept} header values.
   *
   * @param accepted the media ranges listed with a non-zero weight, lower case, without
   *     parameters; may hold wildcards such as {@code *}{@code /*}
   * @param refused the media ranges listed only with weight 0; a request that lists nothing but
   *     refusals accepts nothing
   */
  public record AcceptedTypes(Set<String> accepted, Set<String> refused) {

    private static final String JSON_TYPE = "application/json";
    private static final String ANY_TYPE = "*/*";
    /** A weight of zero as RFC 9110 §12.4.2 writes it: 0, 0., 0.0, 0.00 or 0.000. */
    private static final Pattern ZERO_WEIGHT = Pattern.compile("0(\\.0{0,3})?");
    /** {@code type/subtype}, each part an RFC 9110 token (letters, digits and these marks). */
    private static final Pattern MEDIA_RANGE =
        Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+/[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    /** Copies the sets, so that the value cannot change. */
    public AcceptedTypes {
      accepted = Set.copyOf(accepted);
      refused = Set.copyOf(refused);
    }

    /** Distinct Accept header lists remembered, parsed, before the memo starts over. */
    private static final int PARSED_LIMIT = 256;
    private static final Map<List<String>, AcceptedTypes> PARSED = new ConcurrentHashMap<>();

    /**
     * Parses the values of every {@code Accept} header of a request. A request may carry several
     * headers, each a comma-separated list of media ranges with parameters.
     *
     * <p>Elements that do not parse are skipped, as distribution does. A weight ({@code q}) of 0
     * refuses a type; any other weight, or one that does not parse, accepts it: distribution
     * ignores weights altogether, and which of several acceptable types to prefer never arises,
     * because the mirror serves what it has.
     *
     * @param acceptHeaderValues the raw header values, possibly empty or null for none
     */
    public static AcceptedTypes parse(List<String> acceptHeaderValues) {
      List<String> values = acceptHeaderValues == null ? List.of()
          : acceptHeaderValues.stream().filter(Objects::nonNull).toList();
      if (values.isEmpty()) {
        return compute(values);
      }
      // A fleet sends a handful of distinct Accept headers, on every manifest request: parse each
      // once. The memo is cleared when full, so odd clients cannot grow it without bound.
      if (PARSED.size() >= PARSED_LIMIT) {
        PARSED.clear();
      }
      return PARSED.computeIfAbsent(values, AcceptedTypes::compute);
    }

    private static AcceptedTypes compute(List<String> headerValues) {
      Set<String> accepted = new HashSet<>();
      Set<String> refused = new HashSet<>();
      headerValues.forEach(value -> parseHeader(value, accepted, refused));
      refused.removeAll(accepted);
      return new AcceptedTypes(accepted, refused);
    }

    /**
     * Whether a manifest of {@code mediaType} may be sent: listed, matched by a wildcard, or the
     * request is unrestricted (no usable {@code Accept}, or only {@code application/json}).
     */
    public boolean accepts(String mediaType) {
      String type = bareType(mediaType);
      if (accepted.isEmpty() && refused.isEmpty()) {
        return true;
      }
      if (refused.contains(type)) {
        return false;
      }
      if (accepted.contains(type) || accepted.equals(Set.of(JSON_TYPE))) {
        return true;
      }
      int slash = type.indexOf('/');
      return accepted.contains(ANY_TYPE)
          || (slash > 0 && accepted.contains(type.substring(0, slash) + "/*"));
    }

    private static void parseHeader(String headerValue, Set<String> accepted, Set<String> refused) {
      for (String element : splitOutsideQuotes(headerValue, ',')) {
        List<String> parts = splitOutsideQuotes(element, ';');
        String range = HeaderText.trimOptionalWhitespace(parts.get(0)).toLowerCase(Locale.ROOT);
        if (!isMediaRange(range)) {
          continue;
        }
        if (isRefusal(parts.subList(1, parts.size()))) {
          refused.add(range);
        } else {
          accepted.add(range);
        }
      }
    }

    /** Whether the parameters hold {@code q=0}; the first {@code q} counts, as in RFC 9110. */
    private static boolean isRefusal(List<String> parameters) {
      for (String parameter : parameters) {
        String trimmed = HeaderText.trimOptionalWhitespace(parameter);
        int equals = trimmed.indexOf('=');
        if (equals < 0 || !HeaderText.trimOptionalWhitespace(trimmed.substring(0, equals)).equalsIgnoreCase("q")) {
          continue;
        }
        String weight = HeaderText.trimOptionalWhitespace(trimmed.substring(equals + 1));
        return ZERO_WEIGHT.matcher(weight).matches();
      }
      return false;
    }

    /** {@code type/subtype}, {@code type/*} or {@code *}{@code /*}, each part an RFC 9110 token. */
    private static boolean isMediaRange(String range) {
      return MEDIA_RANGE.matcher(range).matches() && (!range.startsWith("*/") || range.equals("*/*"));
    }

    private static String bareType(String mediaType) {
      Objects.requireNonNull(mediaType, "mediaType");
      int semicolon = mediaType.indexOf(';');
      String type = semicolon < 0 ? mediaType : mediaType.substring(0, semicolon);
      return HeaderText.trimOptionalWhitespace(type).toLowerCase(Locale.ROOT);
    }

    /**
     * Splits on {@code separator} except inside quoted strings, whose backslash escapes are
     * honoured: a parameter such as {@code profile="a,b"} stays in one piece.
     */
    private static List<String> splitOutsideQuotes(String text, char separator) {
      List<String> pieces = new ArrayList<>();
      StringBuilder current = new StringBuilder();
      boolean quoted = false;
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (quoted && c == '\\' && i + 1 < text.length()) {
          current.append(c).append(text.charAt(++i));
          continue;
        }
        if (c == '"') {
          quoted = !quoted;
        } else if (c == separator && !quoted) {
          pieces.add(current.toString());
          current.setLength(0);
          continue;
        }
        current.append(c);
      }
      pieces.add(current.toString());
      return pieces;
    }
  }

  /**
   * Decides what a request for a stored manifest gets (the rules are in the class comment).
   *
   * @param accepted the request's accepted types
   * @param storedMediaType the media type the manifest was stored with, as upstream sent it
   * @param reference what the request named: a tag, or a digest
   */
  public static Decision decide(AcceptedTypes accepted, String storedMediaType, Reference reference) {
    Objects.requireNonNull(storedMediaType, "storedMediaType");
    if (reference instanceof Reference.ByDigest || accepted.accepts(storedMediaType)) {
      return Decision.SERVE_AS_IS;
    }
    if (MediaType.OCI_INDEX.equals(storedMediaType)) {
      boolean acceptsSingleManifest =
          accepted.accepts(MediaType.OCI_MANIFEST) || accepted.accepts(MediaType.DOCKER_MANIFEST);
      return acceptsSingleManifest ? Decision.SERVE_PLATFORM_MANIFEST : Decision.NOT_ACCEPTABLE;
    }
    if (MediaType.DOCKER_MANIFEST_LIST.equals(storedMediaType)) {
      return Decision.SERVE_PLATFORM_MANIFEST;
    }
    return decideUnacceptedSingleManifest(accepted, storedMediaType);
  }

  /**
   * The second step after {@link Decision#SERVE_PLATFORM_MANIFEST}: whether the platform manifest
   * chosen from the index may be sent. Answers {@link Decision#SERVE_AS_IS} or {@link
   * Decision#NOT_ACCEPTABLE}, with the same rules as {@link #decide} for a single manifest; an
   * index nested in the index is not unwrapped again.
   *
   * @param accepted the request's accepted types
   * @param platformMediaType the media type of the platform manifest
   */
  public static Decision decidePlatformManifest(AcceptedTypes accepted, String platformMediaType) {
    Objects.requireNonNull(platformMediaType, "platformMediaType");
    if (accepted.accepts(platformMediaType)) {
      return Decision.SERVE_AS_IS;
    }
    if (MediaType.isIndex(platformMediaType)) {
      return Decision.NOT_ACCEPTABLE;
    }
    return decideUnacceptedSingleManifest(accepted, platformMediaType);
  }

  private static Decision decideUnacceptedSingleManifest(AcceptedTypes accepted, String mediaType) {
    if (MediaType.OCI_MANIFEST.equals(mediaType)) {
      return Decision.NOT_ACCEPTABLE;
    }
    if (MediaType.DOCKER_MANIFEST.equals(mediaType)) {
      boolean schema1Client =
          accepted.accepts(MediaType.DOCKER_MANIFEST_V1_SIGNED)
              || accepted.accepts(MediaType.DOCKER_MANIFEST_V1);
      return schema1Client ? Decision.NOT_ACCEPTABLE : Decision.SERVE_AS_IS;
    }
    return Decision.SERVE_AS_IS;
  }

  /**
   * The 404 MANIFEST_UNKNOWN answer to {@link Decision#NOT_ACCEPTABLE}, worded like the
   * distribution registry's, with the refused media type as detail.
   *
   * @param mediaType the media type the client does not accept
   */
  public static OciException notAcceptable(String mediaType) {
    String message = switch (Objects.requireNonNullElse(mediaType, "")) {
      case MediaType.OCI_MANIFEST -> "OCI manifest found, but accept header does not support OCI manifests";
      case MediaType.OCI_INDEX -> "OCI index found, but accept header does not support OCI indexes";
      case MediaType.DOCKER_MANIFEST_LIST -> "manifest list found, but accept header does not support manifest lists";
      case MediaType.DOCKER_MANIFEST -> "schema 2 manifest found, but accept header does not support schema 2"
          + " manifests, and this mirror never converts to schema 1";
      default -> "manifest found, but accept header does not support its media type";
    };
    return new OciException(ErrorCode.MANIFEST_UNKNOWN, message, mediaType);
  }

  /**
   * The digest of the linux/amd64 manifest in an OCI index or Docker manifest list: the platform
   * distribution serves to clients that do not accept indexes. An entry without a variant is
   * preferred; attestation entries (buildx marks them with an annotation, and gives them the
   * platform unknown/unknown) are skipped, as are entries whose digest is not a valid sha256
   * digest, so a returned value always passes {@link Digest#parse}.
   *
   * @param indexJson the bytes of the index
   * @return the digest, or empty when no entry matches or the bytes are not an index
   */
  public static Optional<String> defaultPlatformDigest(byte[] indexJson) {
    JsonNode index;
    try {
      index = Json.MAPPER.readTree(indexJson);
    } catch (IOException notJson) {
      return Optional.empty();
    }
    if (index == null || !index.path("manifests").isArray()) {
      return Optional.empty();
    }
    Optional<String> withVariant = Optional.empty();
    for (JsonNode entry : index.path("manifests")) {
      String digest = entry.path("digest").textValue();
      if (!isDefaultPlatform(entry) || isAttestation(entry) || !Digest.isDigest(digest)) {
        continue;
      }
      String variant = entry.path("platform").path("variant").textValue();
      if (variant == null || variant.isEmpty()) {
        return Optional.of(digest);
      }
      if (withVariant.isEmpty()) {
        withVariant = Optional.of(digest);
      }
    }
    return withVariant;
  }

  private static boolean isDefaultPlatform(JsonNode entry) {
    JsonNode platform = entry.path("platform");
    return DEFAULT_OS.equals(platform.path("os").textValue())
        && DEFAULT_ARCHITECTURE.equals(platform.path("architecture").textValue());
  }

  private static boolean isAttestation(JsonNode entry) {
    return "attestation-manifest"
        .equals(entry.path("annotations").path(REFERENCE_TYPE_ANNOTATION).textValue());
  }
}
