package io.layercake.testkit;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The rule for tests that drive a real program from Debian (skopeo, podman, containerd, chromium,
 * htpasswd): skipped where it is not installed, but failed when {@value #REQUIRE_CLIENTS} is
 * {@code 1}, as in CI, so that a missing package can never pass for a green run.
 */
public final class RequiredClient {

  /** The environment variable that turns a missing program into a failure. */
  public static final String REQUIRE_CLIENTS = "LAYERCAKE_REQUIRE_CLIENTS";

  private RequiredClient() {}

  /** Skips the calling test if {@code installed} is false, or fails it if clients are required. */
  public static void check(String what, boolean installed) {
    if (!installed && "1".equals(System.getenv(REQUIRE_CLIENTS))) {
      fail(what + " is not installed, and " + REQUIRE_CLIENTS + "=1 requires every client");
    }
    assumeTrue(installed, what + " is not installed: skipped (" + REQUIRE_CLIENTS + "=1 would make this a failure)");
  }
}
