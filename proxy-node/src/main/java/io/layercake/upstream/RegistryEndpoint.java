package io.layercake.upstream;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpResponse;
import io.layercake.metrics.UpstreamCall;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.RepositoryName;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One registry API call, in the manner of Jib's endpoint providers: what to send and how to read
 * a successful answer. {@link RegistryCaller} does the rest (auth, redirects, retries, errors) the
 * same way for every endpoint.
 *
 * @param <T> the result of a successful call
 */
interface RegistryEndpoint<T> {

  /** The repository, which fixes the token scope. */
  RepositoryName repository();

  /** What the call does, for errors: {@code pull manifest library/redis:7}. */
  String action();

  /** What kind of call this is, for the upstream latency and error metrics. */
  UpstreamCall kind();

  /** GET or HEAD: only those are ever sent, so every call is safe to retry and redirect. */
  HttpMethod method();

  /** Path and query below the upstream's URL, such as {@code /v2/library/redis/tags/list?n=10}. */
  String pathAndQuery();

  /** Headers besides Authorization, such as Accept. */
  List<HttpHeader> headers();

  /** The code for a 404 whose body names none. */
  ErrorCode notFoundCode();

  /**
   * Turns a 2xx response into the result. The endpoint owns the response entity from here: it
   * must read, hand on, or discard it.
   */
  CompletionStage<T> handle(HttpResponse response, CallContext context);
}
