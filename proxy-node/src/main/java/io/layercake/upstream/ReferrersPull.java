package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/<name>/referrers/<digest>}: one page of the manifests whose {@code subject} is an
 * image, as an image index. Each descriptor is checked before it is used, since a verifier
 * trusts the list the mirror passes on; a malformed page fails the call rather than be passed on
 * in part.
 *
 * @param repository the repository
 * @param subject the image whose referrers are listed
 * @param pathAndQuery the page: the first, or the next one upstream's {@code Link} named
 */
record ReferrersPull(RepositoryName repository, Digest subject, String pathAndQuery)
    implements RegistryEndpoint<ReferrersPull.Page> {

  /** The digest grammar of the image spec: any algorithm, as a referrer may use sha512. */
  private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
  private static final HttpHeader ACCEPT_INDEX = RawHeader.create("Accept", MediaType.OCI_INDEX);

  /** One page of upstream's list: its descriptors, and its {@code Link} to the next page. */
  record Page(List<JsonNode> manifests, Optional<String> link) {}

  /** The first page, filtered upstream by {@code artifactType} when the client asked for that. */
  static ReferrersPull first(RepositoryName repository, Digest subject, Optional<String> artifactType) {
    return new ReferrersPull(repository, subject, path(repository, subject)
        + artifactType.map(type -> "?artifactType=" + URLEncoder.encode(type, StandardCharsets.UTF_8)).orElse(""));
  }

  /**
   * The page {@code link} (upstream's {@code Link} header) names after this one, if it is the same
   * list on the same registry: the mirror never follows a link elsewhere, which would make it an
   * open proxy.
   */
  Optional<ReferrersPull> next(String link, URI upstream) {
    int open = link.indexOf('<');
    int close = link.indexOf('>', open + 1);
    if (open < 0 || close < 0) {
      return Optional.empty();
    }
    String target;
    try {
      target = URI.create(upstream + pathAndQuery).resolve(URI.create(link.substring(open + 1, close))).toString();
    } catch (IllegalArgumentException malformed) {
      return Optional.empty();
    }
    String list = upstream + path(repository, subject);
    if (!target.equals(list) && !target.startsWith(list + "?")) {
      return Optional.empty();
    }
    return Optional.of(new ReferrersPull(repository, subject, target.substring(upstream.toString().length())));
  }

  private static String path(RepositoryName repository, Digest subject) {
    return "/v2/" + repository + "/referrers/" + subject;
  }

  @Override
  public String action() {
    return "list referrers of " + repository + "@" + subject;
  }

  @Override
  public UpstreamCall kind() {
    return UpstreamCall.REFERRERS;
  }

  @Override
  public HttpMethod method() {
    return HttpMethods.GET;
  }

  @Override
  public List<HttpHeader> headers() {
    return List.of(ACCEPT_INDEX);
  }

  /** A registry without the referrers API answers 404: the client then uses the tag schema. */
  @Override
  public ErrorCode notFoundCode() {
    return ErrorCode.NAME_UNKNOWN;
  }

  @Override
  public CompletionStage<Page> handle(HttpResponse response, CallContext context) {
    Optional<String> link = response.getHeader("Link").map(HttpHeader::value);
    return context.readDocument(response.entity(), ErrorCode.UNAVAILABLE)
        .thenApply(body -> new Page(descriptors(body, context), link));
  }

  private static List<JsonNode> descriptors(byte[] body, CallContext context) {
    JsonNode index;
    try {
      index = Json.MAPPER.readTree(body);
    } catch (IOException malformed) {
      throw malformed(context, "it is not JSON");
    }
    if (index == null || !index.isObject() || index.path("schemaVersion").asInt() != 2
        || !index.path("manifests").isArray()) {
      throw malformed(context, "it is not an image index");
    }
    if (index.has("mediaType") && !MediaType.OCI_INDEX.equals(index.get("mediaType").asText())) {
      throw malformed(context, "its mediaType is " + index.get("mediaType"));
    }
    List<JsonNode> manifests = new ArrayList<>();
    for (JsonNode descriptor : index.get("manifests")) {
      if (!descriptor.path("mediaType").isTextual() || !descriptor.path("size").canConvertToLong()
          || descriptor.path("size").asLong() < 0 || !descriptor.path("digest").isTextual()
          || !DIGEST.matcher(descriptor.get("digest").asText()).matches()) {
        throw malformed(context, "a descriptor lacks a media type, a size or a digest: " + descriptor);
      }
      manifests.add(descriptor);
    }
    return manifests;
  }

  private static OciException malformed(CallContext context, String why) {
    return context.failure(ErrorCode.UNAVAILABLE, "upstream's referrers list is malformed: " + why);
  }
}
