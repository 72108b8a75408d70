package io.layercake.http;

import akka.http.javadsl.model.HttpRequest;
import io.layercake.Failures;
import io.layercake.UpstreamName;
import io.layercake.auth.Identity;
import io.layercake.auth.PullAuthenticator;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import io.layercake.upstream.Upstreams;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/*
 * Implementation notes
 *
 * Docker's clients learn that a registry wants credentials from a 401 with a Basic challenge on
 * GET /v2/, then send them with every request. So every /v2/ request is authenticated, /v2/
 * itself included; a failure is 401 with the challenge, and an authenticated user outside the
 * read rules gets 403 DENIED for that repository (the error Docker Hub gives for a repository
 * one may not pull).
 *
 * A bcrypt check is milliseconds of CPU, and anyone can send a wrong password: checks run on a
 * small pool of their own (one thread per core) with a short queue, never on the dispatcher that
 * RocksDB and the store use, and a check that finds the queue full answers 429 with Retry-After
 * instead of waiting. A verified pair is remembered, so a client that logged in costs no bcrypt
 * on its following requests.
 */

/** Who may pull what: pull authentication and read rules applied to registry requests. */
final class PullAccess {

  private static final int QUEUED_CHECKS = 64;
  private static final Duration RETRY_AFTER = Duration.ofSeconds(1);

  private final PullAuthenticator authenticator;
  private final Upstreams upstreams;
  private final Executor checks;

  PullAccess(PullAuthenticator authenticator, Upstreams upstreams) {
    this.authenticator = authenticator;
    this.upstreams = upstreams;
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
        new ArrayBlockingQueue<>(QUEUED_CHECKS), work -> {
          Thread thread = new Thread(work, "layercake-password-check-" + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        }, new ThreadPoolExecutor.AbortPolicy());
    // Idle most of the time (verified pairs are remembered): no thread is kept waiting.
    pool.allowCoreThreadTimeOut(true);
    this.checks = pool;
  }

  /** The request's identity; fails with a 401 challenge unless it is allowed to pull at all. */
  CompletionStage<Identity> authenticate(HttpRequest request) {
    return authenticator.authenticate(request.getHeader("Authorization").map(h -> h.value()), checks)
        .handle((identity, error) -> {
          if (error != null) {
            if (Failures.unwrap(error) instanceof RejectedExecutionException) {
              throw new OciException(ErrorCode.TOOMANYREQUESTS, "too many logins are being checked, retry",
                  null, RETRY_AFTER);
            }
            throw error instanceof RuntimeException runtime ? runtime : new IllegalStateException(error);
          }
          if (identity instanceof Identity.Failure failure) {
            throw new AuthenticationRequired(failure.reason().message(), authenticator.challenge());
          }
          return identity;
        });
  }

  /** Fails with 403 {@code DENIED} unless {@code identity} may read {@code repository} of {@code upstream}. */
  void requireRead(Identity identity, UpstreamName upstream, RepositoryName repository) {
    String name = upstreams.ruleName(upstream, repository.value());
    if (!authenticator.mayRead(identity, name)) {
      throw new OciException(ErrorCode.DENIED, "requested access to the resource is denied",
          "no read rule lets this user pull " + name);
    }
  }

  /** Whether read rules limit {@code identity}: its requests by digest then need {@link RepositoryLinks}. */
  boolean limited(Identity identity) {
    return authenticator.limited(identity);
  }

  /** The repositories of {@code upstream} that {@code identity} may see, in {@code _catalog} and on the status page. */
  Predicate<String> readable(Identity identity, UpstreamName upstream) {
    Predicate<String> readable = authenticator.readable(identity);
    return repository -> readable.test(upstreams.ruleName(upstream, repository));
  }

  /** A 401 that carries the challenge the client must answer ({@code WWW-Authenticate}). */
  static final class AuthenticationRequired extends OciException {
    private static final long serialVersionUID = 1L;

    private final String challenge;

    AuthenticationRequired(String message, String challenge) {
      super(ErrorCode.UNAUTHORIZED, message, null);
      this.challenge = challenge;
    }

    String challenge() {
      return challenge;
    }
  }
}
