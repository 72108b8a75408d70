package io.layercake.upstream;

import java.util.Objects;

/**
 * A user name and password for one upstream. They are sent only to the upstream itself or to a
 * token realm the upstream's settings list, and the password never appears in a log or a
 * {@code toString}.
 *
 * @param username the account name
 * @param password the password or access token of the account
 */
public record UpstreamCredentials(String username, String password) {

  /** Requires both parts to be non-empty. */
  public UpstreamCredentials {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    if (username.isEmpty() || password.isEmpty()) {
      throw new IllegalArgumentException("username and password must both be non-empty");
    }
  }

  /** Names the user only: the password must never reach a log line. */
  @Override
  public String toString() {
    return "UpstreamCredentials[username=" + username + ", password=<hidden>]";
  }
}
