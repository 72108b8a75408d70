package io.layercake.auth;

import java.util.Objects;

/**
 * Who a request is from, as {@link PullAuthenticator#authenticate} decided: anyone (pull
 * authentication is off), a user of the htpasswd file, or nobody, with the reason. A
 * {@link Failure} is answered with 401, {@code WWW-Authenticate: <challenge>} and the OCI error
 * {@code UNAUTHORIZED}.
 */
public sealed interface Identity {

  /** Pull authentication is off: every request is allowed, whoever sent it. */
  enum Anonymous implements Identity {
    /** The only instance. */
    INSTANCE
  }

  /**
   * A user whose password bcrypt accepted (now or within the verified-cache TTL).
   *
   * @param name the user name as the htpasswd file lists it
   */
  record User(String name) implements Identity {

    /** Requires a name. */
    public User {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * Authentication is on and the request did not pass it.
   *
   * @param reason why
   */
  record Failure(Reason reason) implements Identity {

    /** Requires a reason. */
    public Failure {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Why a request was not authenticated; each says so in words a client's user can act on. */
  enum Reason {
    /** No {@code Authorization} header: normal for a client's first request. */
    MISSING("authentication required"),
    /** An {@code Authorization} header that is not valid Basic credentials. */
    MALFORMED("the Authorization header is not valid Basic credentials"),
    /** A user the file does not list, or a wrong password; the two are not told apart. */
    BAD_CREDENTIALS("incorrect user name or password");

    private final String message;

    Reason(String message) {
      this.message = message;
    }

    /** A message for the OCI error JSON; it holds nothing from the request. */
    public String message() {
      return message;
    }
  }
}
