package io.layercake.http;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Failures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.oci.Digest;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.MediaType;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.upstream.Upstreams;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/*
 * Implementation notes
 *
 * A verifier (cosign, notation) asks the referrers API first and trusts a 200: it then never
 * looks at the tag schema. So the mirror answers 200 only with upstream's whole list, every page
 * read and each descriptor checked (UpstreamRegistry.listReferrers), and passes upstream's 404
 * on as a 404, which is what sends the verifier to the sha256-<hex> tags. An upstream outage is
 * a 503: the verifier fails and retries rather than trusting a list the mirror could not read.
 *
 * Lists are cached briefly, for signature-tag-ttl, like the fallback tags: a signature added
 * after the image must reach verifiers within seconds. The cache holds rendered answers of at
 * most MAX_CACHED_BYTES (a list is a few descriptors), so its memory is bounded by
 * MAX_ENTRIES × MAX_CACHED_BYTES whatever upstream sends; a larger list is fetched every time.
 *
 * The filter is applied here, whether or not upstream applied it (the spec lets a registry
 * ignore artifactType): the client is told it was, with OCI-Filters-Applied.
 */

/** {@code GET /v2/<name>/referrers/<digest>[?artifactType=]}: the manifests that name an image. */
final class ReferrersEndpoint {

  private static final int MAX_ENTRIES = 1024;
  private static final int MAX_CACHED_BYTES = 16 * 1024;
  /** A media type, as RFC 6838 spells one: what {@code artifactType} must be. */
  private static final Pattern MEDIA_TYPE = Pattern.compile(
      "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}");
  private static final HttpHeader FILTERED = RawHeader.create("OCI-Filters-Applied", "artifactType");

  private final Upstreams upstreams;
  private final ExpiringCache<Answer> recent;

  /** What upstream said for one list: the rendered list, or its 404. */
  private sealed interface Answer {}

  private record Listed(byte[] body) implements Answer {}

  private record NotFound(OciException error) implements Answer {}

  ReferrersEndpoint(Upstreams upstreams, Duration ttl) {
    this.upstreams = upstreams;
    this.recent = new ExpiringCache<>(ttl, MAX_ENTRIES, System::nanoTime);
  }

  /** The list for {@code subject}; for a HEAD, its headers (Akka sends no body for one). */
  CompletionStage<HttpResponse> serve(HttpRequest request, boolean head, UpstreamName upstream,
      RepositoryName repository, Digest subject) {
    Optional<String> artifactType = request.getUri().query().get("artifactType");
    if (artifactType.isPresent() && !MEDIA_TYPE.matcher(artifactType.get()).matches()) {
      throw new OciException(ErrorCode.MANIFEST_INVALID, "invalid artifactType",
          "artifactType must be a media type such as application/vnd.dev.cosign.artifact.sig.v1+json");
    }
    String key = upstream + "/" + repository + "@" + subject + "?" + artifactType.orElse("");
    Optional<Answer> known = recent.get(key);
    CompletionStage<Answer> answer = known.isPresent() ? CompletableFuture.completedFuture(known.get())
        : upstreams.get(upstream).listReferrers(repository, subject, artifactType)
            .<Answer>thenApply(manifests -> new Listed(render(manifests, artifactType)))
            .exceptionally(error -> {
              if (Failures.unwrap(error) instanceof OciException refused && refused.code().status() == 404) {
                return new NotFound(refused);
              }
              throw new CompletionException(Failures.unwrap(error));
            })
            .whenComplete((fetched, error) -> {
              if (fetched != null && !(fetched instanceof Listed listed && listed.body().length > MAX_CACHED_BYTES)) {
                recent.put(key, fetched);
              }
            });
    return answer.thenApply(found -> {
      if (found instanceof NotFound notFound) {
        throw notFound.error();
      }
      byte[] body = ((Listed) found).body();
      List<HttpHeader> headers = new ArrayList<>();
      artifactType.ifPresent(filtered -> headers.add(FILTERED));
      if (head) {
        headers.add(new HeadContentLength(body.length));
      }
      return Responses.document(Responses.contentType(MediaType.OCI_INDEX), body, headers);
    });
  }

  private static byte[] render(List<JsonNode> manifests, Optional<String> artifactType) {
    ObjectNode index = Json.MAPPER.createObjectNode()
        .put("schemaVersion", 2)
        .put("mediaType", MediaType.OCI_INDEX);
    index.putArray("manifests").addAll(manifests.stream()
        .filter(descriptor -> artifactType.isEmpty() || artifactType.get().equals(descriptor.path("artifactType").asText()))
        .toList());
    return Json.bytes(index);
  }
}
