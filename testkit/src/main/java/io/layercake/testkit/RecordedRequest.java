package io.layercake.testkit;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One request as {@link FakeRegistry} received it, for assertions such as "the CDN never saw an
 * Authorization header".
 *
 * @param method the HTTP method, upper case
 * @param path the decoded path, such as {@code /v2/library/redis/manifests/7} or {@code /token}
 * @param query the raw query string, empty when there was none
 * @param headers the request headers, keys lower-cased
 */
public record RecordedRequest(
    String method, String path, String query, Map<String, List<String>> headers) {

  /** Copies the header map so later changes cannot leak in. */
  public RecordedRequest {
    query = query == null ? "" : query;
    headers = Map.copyOf(headers);
  }

  /** The first value of header {@code name} (any case), if the request had it. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** Whether the request carried an {@code Authorization} header. */
  public boolean hasAuthorization() {
    return header("Authorization").isPresent();
  }
}
