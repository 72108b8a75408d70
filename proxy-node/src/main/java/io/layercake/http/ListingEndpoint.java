package io.layercake.http;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.layercake.Failures;
import io.layercake.Json;
import io.layercake.UpstreamName;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.oci.Tag;
import io.layercake.storage.TagIndex;
import io.layercake.upstream.Upstreams;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/**
 * {@code GET /v2/<name>/tags/list} and {@code GET /v2/_catalog}, both paginated with {@code n}
 * and {@code last}. Tags come from upstream, which knows tags the cache has never seen; when
 * upstream is unreachable the cached tags answer instead. The catalog lists what is cached:
 * Docker Hub does not offer its catalog, and a mirror's own contents are what an operator wants.
 */
record ListingEndpoint(Upstreams upstreams, TagIndex tagIndex, Executor blockingExecutor) {

  /** The largest page a client may ask for; larger {@code n} is an error, as in distribution. */
  static final int MAX_PAGE = 10_000;

  CompletionStage<HttpResponse> tags(HttpRequest request, UpstreamName upstream, RepositoryName repository) {
    OptionalInt n = pageSize(request);
    Optional<String> last = request.getUri().query().get("last");
    last.ifPresent(Tag::parse);
    return upstreams.get(upstream).listTags(repository, n, last)
        .thenApply(list -> {
          List<HttpHeader> headers = new ArrayList<>();
          list.link().flatMap(ListingEndpoint::nextLast)
              .ifPresent(next -> headers.add(link(request, request.getUri().path(), n, next)));
          return Responses.json(list.json(), headers);
        })
        .exceptionallyCompose(error -> {
          Throwable cause = Failures.unwrap(error);
          if (cause instanceof OciException oci && oci.code() != ErrorCode.UNAVAILABLE
              && oci.code() != ErrorCode.TOOMANYREQUESTS) {
            throw oci;
          }
          return CompletableFuture.supplyAsync(
              () -> cachedTags(request, upstream, repository, n, last, cause), blockingExecutor);
        });
  }

  private HttpResponse cachedTags(HttpRequest request, UpstreamName upstream, RepositoryName repository,
      OptionalInt n, Optional<String> last, Throwable upstreamError) {
    List<String> names = new ArrayList<>(tagIndex.tags(upstream, repository).keySet());
    if (names.isEmpty()) {
      throw upstreamError instanceof OciException oci ? oci
          : new OciException(ErrorCode.UNAVAILABLE, "upstream unavailable", upstreamError.toString());
    }
    Page page = Page.of(names, n, last);
    ObjectNode body = Json.MAPPER.createObjectNode().put("name", repository.value());
    ArrayNode tags = body.putArray("tags");
    page.items().forEach(tags::add);
    List<HttpHeader> headers = new ArrayList<>();
    headers.add(RawHeader.create("Warning", "110 layercake \"Response is stale: upstream unavailable\""));
    page.next().ifPresent(next -> headers.add(link(request, request.getUri().path(), n, next)));
    return Responses.json(body.toString().getBytes(StandardCharsets.UTF_8), headers);
  }

  CompletionStage<HttpResponse> catalog(HttpRequest request, UpstreamName upstream, Predicate<String> readable) {
    OptionalInt n = pageSize(request);
    Optional<String> last = request.getUri().query().get("last");
    last.ifPresent(RepositoryName::parse);
    return CompletableFuture.supplyAsync(() -> {
      Page page = Page.of(tagIndex.repositories(upstream).stream().filter(readable).toList(), n, last);
      ObjectNode body = Json.MAPPER.createObjectNode();
      ArrayNode repositories = body.putArray("repositories");
      page.items().forEach(repositories::add);
      List<HttpHeader> headers = new ArrayList<>();
      page.next().ifPresent(next -> headers.add(link(request, "/v2/_catalog", n, next)));
      return Responses.json(body.toString().getBytes(StandardCharsets.UTF_8), headers);
    }, blockingExecutor);
  }

  private static OptionalInt pageSize(HttpRequest request) {
    Optional<String> n = request.getUri().query().get("n");
    if (n.isEmpty()) {
      return OptionalInt.empty();
    }
    String value = n.get();
    if (!value.matches("[0-9]{1,9}") || Integer.parseInt(value) > MAX_PAGE) {
      throw new OciException(ErrorCode.PAGINATION_NUMBER_INVALID, "invalid number of results requested",
          "n must be an integer from 0 to " + MAX_PAGE);
    }
    return OptionalInt.of(Integer.parseInt(value));
  }

  /**
   * The link to the next page, on the path the client asked ({@code /v2/ghcr.io/org/app/tags/list}
   * for a prefix mirror) and with its {@code ns}: the client's next request comes back to the same
   * registry through the mirror.
   */
  private static HttpHeader link(HttpRequest request, String path, OptionalInt n, String next) {
    String query = "last=" + URLEncoder.encode(next, StandardCharsets.UTF_8)
        + (n.isPresent() ? "&n=" + n.getAsInt() : "")
        + request.getUri().query().get("ns").map(ns -> "&ns=" + URLEncoder.encode(ns, StandardCharsets.UTF_8))
            .orElse("");
    return RawHeader.create("Link", "<" + path + "?" + query + ">; rel=\"next\"");
  }

  /**
   * The {@code last} of the next page that upstream's {@code Link} header names. Its link is not
   * passed on: it names upstream's path for the repository (and some registries their own host),
   * which would send the client's next request to another registry, or past the mirror.
   */
  static Optional<String> nextLast(String link) {
    int open = link.indexOf('<');
    int close = link.indexOf('>', open + 1);
    int query = open < 0 || close < 0 ? -1 : link.substring(0, close).indexOf('?', open);
    if (query < 0) {
      return Optional.empty();
    }
    try {
      for (String pair : link.substring(query + 1, close).split("&")) {
        if (pair.startsWith("last=")) {
          return Optional.of(URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8));
        }
      }
    } catch (IllegalArgumentException malformed) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  /** One page of a sorted list: the items after {@code last}, at most {@code n}. */
  private record Page(List<String> items, Optional<String> next) {
    static Page of(List<String> sorted, OptionalInt n, Optional<String> last) {
      List<String> after = last.map(l -> sorted.stream().filter(s -> s.compareTo(l) > 0).toList())
          .orElse(sorted);
      if (n.isEmpty() || after.size() <= n.getAsInt()) {
        return new Page(after, Optional.empty());
      }
      List<String> items = after.subList(0, n.getAsInt());
      return new Page(items, items.isEmpty() ? Optional.empty() : Optional.of(items.get(items.size() - 1)));
    }
  }
}
