package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns an upstream error response into the {@link OciException} the mirror's client should see.
 *
 * <ul>
 *   <li>404: the upstream's own code when its error JSON names MANIFEST_UNKNOWN, BLOB_UNKNOWN or
 *       NAME_UNKNOWN, else the endpoint's.
 *   <li>401, 403 (after the token flow): DENIED. Docker Hub answers 401 for a repository that
 *       does not exist, so the message cannot say which it was.
 *   <li>429: TOOMANYREQUESTS carrying Retry-After. Never retried: retrying a rate limit only
 *       spends more of it.
 *   <li>502, 503, 504: UNAVAILABLE, retryable. Other 5xx: UNAVAILABLE, not retried.
 *   <li>Other 4xx: the upstream's code when it is one of the spec's, else UNAVAILABLE.
 * </ul>
 */
final class UpstreamErrors {

  /** Error bodies are read for their code only; more than this is not an error document. */
  private static final long MAX_ERROR_BODY = 64 * 1024;
  private UpstreamErrors() {}

  /** Reads the response's error body (if any) and fails with the mapped exception. */
  static <T> CompletionStage<T> fail(HttpResponse response, RegistryEndpoint<?> endpoint,
      CallContext context, Clock clock) {
    int status = response.status().intValue();
    if (status == 429) {
      context.http().discard(response);
      return CompletableFuture.failedFuture(tooManyRequests(response, context, clock));
    }
    if (status == 502 || status == 503 || status == 504) {
      context.http().discard(response);
      return CompletableFuture.failedFuture(new RetryableUpstreamException(
          context.description() + ": upstream answered " + status));
    }
    return context.http().readSmall(response.entity(), MAX_ERROR_BODY)
        .handle((body, unreadable) -> {
          throw map(status, body == null ? Optional.empty() : firstError(body), endpoint, context);
        });
  }

  /** TOOMANYREQUESTS with upstream's Retry-After, seconds or HTTP date. */
  static OciException tooManyRequests(HttpResponse response, CallContext context, Clock clock) {
    Optional<Duration> retryAfter = response.getHeader("Retry-After")
        .flatMap(header -> RetryAfter.parse(header.value(), clock.instant()));
    String remaining = response.getHeader("ratelimit-remaining").map(HttpHeader::value)
        .map(value -> " (ratelimit-remaining " + value + ")").orElse("");
    return new OciException(ErrorCode.TOOMANYREQUESTS, ErrorCode.TOOMANYREQUESTS.message(),
        context.description() + ": upstream's rate limit is reached" + remaining
            + retryAfter.map(wait -> ", retry after " + wait.toSeconds() + " s").orElse(""),
        retryAfter.orElse(null));
  }

  /** DENIED: Docker Hub cannot tell, and so neither can this, a missing from a private repo. */
  static OciException denied(RegistryEndpoint<?> endpoint, CallContext context, int status) {
    return context.failure(ErrorCode.DENIED, "upstream refused access to "
        + endpoint.repository() + ": it does not exist or needs credentials (" + status + ")");
  }

  private static OciException map(int status, Optional<UpstreamError> error,
      RegistryEndpoint<?> endpoint, CallContext context) {
    String said = error.map(e -> " (" + e.code() + ": " + e.message() + ")").orElse("");
    if (status == 404) {
      ErrorCode code = error.flatMap(UpstreamError::knownCode)
          .filter(c -> c == ErrorCode.MANIFEST_UNKNOWN || c == ErrorCode.BLOB_UNKNOWN
              || c == ErrorCode.NAME_UNKNOWN)
          .orElse(endpoint.notFoundCode());
      return context.failure(code, "upstream answered 404" + said);
    }
    if (status == 401 || status == 403) {
      return denied(endpoint, context, status);
    }
    if (status >= 400 && status < 500) {
      ErrorCode code = error.flatMap(UpstreamError::knownCode)
          .filter(c -> c != ErrorCode.UNAUTHORIZED && c != ErrorCode.DENIED)
          .orElse(ErrorCode.UNAVAILABLE);
      return context.failure(code, "upstream answered " + status + said);
    }
    return context.failure(ErrorCode.UNAVAILABLE, "upstream answered " + status + said);
  }

  /** The first entry of an OCI error document. */
  private record UpstreamError(String code, String message) {
    Optional<ErrorCode> knownCode() {
      try {
        return Optional.of(ErrorCode.valueOf(code));
      } catch (IllegalArgumentException unknown) {
        return Optional.empty();
      }
    }
  }

  private static Optional<UpstreamError> firstError(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    try {
      JsonNode first = Json.MAPPER.readTree(body).path("errors").path(0);
      String code = first.path("code").asText("");
      return code.isEmpty() ? Optional.empty()
          : Optional.of(new UpstreamError(code, first.path("message").asText("")));
    } catch (IOException notJson) {
      return Optional.empty();
    }
  }
}
