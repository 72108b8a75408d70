package io.layercake.http;

import akka.http.javadsl.model.HttpRequest;
import io.layercake.auth.Identity;
import io.layercake.auth.PullAuthenticator;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import io.layercake.oci.RepositoryName;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;

/*
 * Implementation notes
 *
 * Docker's clients learn that a registry wants credentials from a 401 with a Basic challenge on
 * GET /v2/, then send them with every request. So every /v2/ request is authenticated, /v2/
 * itself included; a failure is 401 with the challenge, and an authenticated user outside the
 * read rules gets 403 DENIED for that repository (the error Docker Hub gives for a repository
 * one may not pull). The bcrypt check runs on the blocking dispatcher, once per user and
 * password: the authenticator remembers verified pairs.
 */

/** Who may pull what: pull authentication and read rules applied to registry requests. */
final class PullAccess {

  private final PullAuthenticator authenticator;
  private final Executor blockingExecutor;

  PullAccess(PullAuthenticator authenticator, Executor blockingExecutor) {
    this.authenticator = authenticator;
    this.blockingExecutor = blockingExecutor;
  }

  /** The request's identity; fails with a 401 challenge unless it is allowed to pull at all. */
  CompletionStage<Identity> authenticate(HttpRequest request) {
    return authenticator.authenticate(request.getHeader("Authorization").map(h -> h.value()), blockingExecutor)
        .thenApply(identity -> {
          if (identity instanceof Identity.Failure failure) {
            throw new AuthenticationRequired(failure.reason().message(), authenticator.challenge());
          }
          return identity;
        });
  }

  /** Fails with 403 {@code DENIED} unless {@code identity} may read {@code repository}. */
  void requireRead(Identity identity, RepositoryName repository) {
    if (!authenticator.mayRead(identity, repository.value())) {
      throw new OciException(ErrorCode.DENIED, "requested access to the resource is denied",
          "no read rule lets this user pull " + repository);
    }
  }

  /** The repositories {@code identity} may see in {@code _catalog}. */
  Predicate<String> readable(Identity identity) {
    return authenticator.readable(identity);
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
