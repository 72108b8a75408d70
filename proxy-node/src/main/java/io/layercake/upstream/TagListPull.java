package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.RepositoryName;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;

/**
 * {@code GET /v2/<name>/tags/list?n=..&last=..}: one page of tags, passed on unparsed with the
 * {@code Link} header that names the next page.
 *
 * @param repository the repository
 * @param n how many tags the page may hold, if the client said
 * @param last the tag the page starts after, if the client said
 */
record TagListPull(RepositoryName repository, OptionalInt n, Optional<String> last)
    implements RegistryEndpoint<UpstreamTagList> {

  /** Refuses a negative page size. */
  TagListPull {
    if (n.isPresent() && n.getAsInt() < 0) {
      throw new IllegalArgumentException("n must not be negative, got " + n.getAsInt());
    }
  }

  @Override
  public String action() {
    return "list tags of " + repository;
  }

  @Override
  public UpstreamCall kind() {
    return UpstreamCall.TAGS;
  }

  @Override
  public HttpMethod method() {
    return HttpMethods.GET;
  }

  @Override
  public String pathAndQuery() {
    StringBuilder path = new StringBuilder("/v2/").append(repository).append("/tags/list");
    String separator = "?";
    if (n.isPresent()) {
      path.append(separator).append("n=").append(n.getAsInt());
      separator = "&";
    }
    if (last.isPresent()) {
      path.append(separator).append("last=")
          .append(URLEncoder.encode(last.get(), StandardCharsets.UTF_8));
    }
    return path.toString();
  }

  @Override
  public List<HttpHeader> headers() {
    return List.of();
  }

  @Override
  public ErrorCode notFoundCode() {
    return ErrorCode.NAME_UNKNOWN;
  }

  @Override
  public CompletionStage<UpstreamTagList> handle(HttpResponse response, CallContext context) {
    Optional<String> link = response.getHeader("Link").map(HttpHeader::value);
    return context.readDocument(response.entity(), ErrorCode.UNAVAILABLE)
        .thenApply(json -> new UpstreamTagList(json, link));
  }
}
