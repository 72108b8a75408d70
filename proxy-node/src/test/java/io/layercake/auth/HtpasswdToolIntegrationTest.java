package io.layercake.auth;

import static io.layercake.auth.BasicCredentialsTest.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.ManualClock;
import io.layercake.auth.Identity.Failure;
import io.layercake.auth.Identity.Reason;
import io.layercake.auth.Identity.User;
import io.layercake.testkit.Htpasswd;
import io.layercake.testkit.RequiredClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by the real {@code htpasswd} (Debian's {@code apache2-utils}) work as users
 * expect: what {@code htpasswd -B} adds, changes or deletes is what the mirror accepts after its
 * reload, and what it writes without {@code -B} is refused by line. Skipped when {@code htpasswd}
 * is not installed, unless {@code LAYERCAKE_REQUIRE_CLIENTS} is {@code 1} (as in CI), which turns a
 * missing program into a failure.
 */
class HtpasswdToolIntegrationTest {

  private static final Duration RELOAD = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Path htpasswd;
  private Htpasswd tool;
  private final ManualClock clock = new ManualClock();

  @BeforeEach
  void findTool() {
    RequiredClient.check("htpasswd (apache2-utils)", Htpasswd.isInstalled());
    htpasswd = dir.resolve("users.htpasswd");
    tool = Htpasswd.at(htpasswd);
  }

  @Test
  void authenticate_usersAddedWithHtpasswdB() throws IOException {
    htpasswd("-c -B -C 5", "alice", "alice-secret");
    htpasswd("-B", "ci-runner_1", "p@ss:with:colons");
    htpasswd("-B -C 4", "bob@example.com", "pässwörd");
    htpasswd("-B -C 4", "nopassword", "");
    PullAuthenticator auth = PullAuthenticator.create(AuthTestConfig.settings(htpasswd, Map.of()), clock);

    assertEquals(new User("alice"), auth.authenticate(header("alice", "alice-secret")));
    assertEquals(new User("ci-runner_1"), auth.authenticate(header("ci-runner_1", "p@ss:with:colons")));
    assertEquals(new User("bob@example.com"), auth.authenticate(header("bob@example.com", "pässwörd")));
    assertEquals(new User("nopassword"), auth.authenticate(header("nopassword", "")));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(header("alice", "Alice-secret")));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(header("bob@example.com", "passwort")));
  }

  @Test
  void authenticate_followsChangesMadeWithHtpasswd() throws IOException {
    htpasswd("-c -B -C 4", "alice", "first");
    htpasswd("-B -C 4", "bob", "bob-secret");
    PullAuthenticator auth = PullAuthenticator.create(AuthTestConfig.settings(htpasswd, Map.of()), clock);
    assertEquals(new User("alice"), auth.authenticate(header("alice", "first")));
    assertEquals(new User("bob"), auth.authenticate(header("bob", "bob-secret")));

    htpasswd("-B -C 4", "alice", "second");
    delete("bob");
    clock.advance(RELOAD);

    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(header("alice", "first")));
    assertEquals(new User("alice"), auth.authenticate(header("alice", "second")));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(header("bob", "bob-secret")));
  }

  @Test
  void authenticate_htpasswdTruncatesAt72BytesButTheMirrorRefusesLongerPasswords() throws IOException {
    String long80 = "x".repeat(80);
    htpasswd("-c -B -C 4", "long", long80);
    PullAuthenticator auth = PullAuthenticator.create(AuthTestConfig.settings(htpasswd, Map.of()), clock);

    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(header("long", long80)),
        "bcrypt would compare only the first 72 bytes; the mirror refuses rather than truncate");
    assertEquals(new User("long"), auth.authenticate(header("long", long80.substring(0, 72))));
  }

  @Test
  void create_refusesNonBcryptLinesHtpasswdWrites() throws IOException {
    htpasswd("-c -B -C 4", "alice", "alice-secret");
    htpasswd("-m", "md5user", "md5-secret");
    htpasswd("-s", "shauser", "sha-secret");
    htpasswd("-5", "sha512user", "sha512-secret");
    htpasswd("-d", "cryptuser", "crypt");
    String md5Hash = Files.readAllLines(htpasswd).get(1).substring("md5user:".length());

    String message = assertThrows(IllegalArgumentException.class,
        () -> PullAuthenticator.create(AuthTestConfig.settings(htpasswd, Map.of()), clock)).getMessage();

    assertTrue(message.contains("line 2 (user 'md5user'): an MD5 hash"), message);
    assertTrue(message.contains("line 3 (user 'shauser'): a SHA-1 hash"), message);
    assertTrue(message.contains("line 4 (user 'sha512user'): a SHA-crypt hash ($6$)"), message);
    assertTrue(message.contains("line 5 (user 'cryptuser'): not a bcrypt hash (crypt"), message);
    assertFalse(message.contains(md5Hash.substring(6)), message);
  }

  private void htpasswd(String options, String user, String password) {
    tool.add(options, user, password);
  }

  private void delete(String user) {
    tool.delete(user);
  }

  private static Optional<String> header(String user, String password) {
    return Optional.of(basic(user + ":" + password));
  }
}
