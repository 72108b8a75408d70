package io.layercake.auth;

import static io.layercake.auth.BasicCredentialsTest.basic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.ManualClock;
import io.layercake.auth.Identity.Failure;
import io.layercake.auth.Identity.Reason;
import io.layercake.auth.Identity.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.crypto.bcrypt.BCrypt;

class PullAuthenticatorTest {

  private static final Optional<String> ALICE = Optional.of(basic("alice:alice-secret"));
  private static final Duration RELOAD = Duration.ofSeconds(10);

  @TempDir Path dir;
  private Path htpasswd;
  private final ManualClock clock = new ManualClock();
  /** Real bcrypt, counted: the tests assert when it runs and when the cache answers. */
  private final CountingCheck bcrypt = new CountingCheck();

  @BeforeEach
  void copyFixture() throws IOException {
    htpasswd = Files.copy(AuthTestConfig.fixture(), dir.resolve("users.htpasswd"));
  }

  @Test
  void authenticate_offAllowsEveryoneAndEverything() {
    PullAuthenticator off = PullAuthenticator.create(AuthSettings.fromConfig(AuthTestConfig.config(Map.of())), clock);

    assertFalse(off.enabled());
    for (Optional<String> header : List.of(Optional.<String>empty(), Optional.of("Basic !!"), ALICE)) {
      assertSame(Identity.Anonymous.INSTANCE, off.authenticate(header));
    }
    assertTrue(off.mayRead(Identity.Anonymous.INSTANCE, "library/redis"));
    assertTrue(off.readable(Identity.Anonymous.INSTANCE).test("any/thing"));
    assertEquals("PullAuthenticator[off]", off.toString());
  }

  @Test
  void authenticate_fixtureUsers() {
    PullAuthenticator auth = authenticator(Map.of());

    assertTrue(auth.enabled());
    assertEquals(new User("alice"), auth.authenticate(ALICE));
    assertEquals(new User("ci-runner_1"), auth.authenticate(Optional.of(basic("ci-runner_1:p@ss:with:colons"))));
    assertEquals(new User("bob@example.com"), auth.authenticate(Optional.of(basic("bob@example.com:pässwörd"))));
    assertEquals(new User("alice"), auth.authenticate(Optional.of("bAsIc " + ALICE.get().substring(6))));
  }

  @Test
  void authenticate_missingAndMalformed() {
    PullAuthenticator auth = authenticator(Map.of());

    assertEquals(new Failure(Reason.MISSING), auth.authenticate(Optional.empty()));
    for (String header : List.of("Bearer token", "Basic", "Basic !!!", basic("alice"), basic(":alice-secret"),
        basic("alice:alice\u0000secret"), "Basic " + "QQ==".repeat(300))) {
      assertEquals(new Failure(Reason.MALFORMED), auth.authenticate(Optional.of(header)), header);
    }
    assertEquals(0, bcrypt.calls.get(), "nothing malformed reaches bcrypt");
  }

  @Test
  void authenticate_wrongPasswordIsNotRemembered() {
    PullAuthenticator auth = authenticator(Map.of());
    Optional<String> wrong = Optional.of(basic("alice:alice-secreT"));

    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(wrong));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(wrong));
    assertEquals(2, bcrypt.calls.get());
  }

  @Test
  void authenticate_unknownUserCostsOneBcryptAtTheFilesCost() {
    PullAuthenticator auth = authenticator(Map.of());

    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(Optional.of(basic("mallory:alice-secret"))));
    assertEquals(1, bcrypt.calls.get());
    assertEquals(5, bcrypt.lastHash.cost());
  }

  @Test
  void authenticate_secondVerificationOfAPairSkipsBcrypt() {
    PullAuthenticator auth = authenticator(Map.of());

    for (int i = 0; i < 50; i++) {
      assertEquals(new User("alice"), auth.authenticate(ALICE));
    }
    assertEquals(1, bcrypt.calls.get());

    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(Optional.of(basic("alice:other"))));
    assertEquals(2, bcrypt.calls.get(), "another password for the same user is checked");

    clock.advance(Duration.ofMinutes(5));
    assertEquals(new User("alice"), auth.authenticate(ALICE));
    assertEquals(3, bcrypt.calls.get(), "checked again once the TTL is over");
  }

  @Test
  void authenticate_zeroTtlVerifiesEveryRequest() {
    PullAuthenticator auth = authenticator(Map.of("verified-cache-ttl", "0s"));

    auth.authenticate(ALICE);
    auth.authenticate(ALICE);

    assertEquals(2, bcrypt.calls.get());
  }

  @Test
  void authenticate_changedFileClearsTheCacheAndIsUsed() throws IOException {
    PullAuthenticator auth = authenticator(Map.of());
    assertEquals(new User("alice"), auth.authenticate(ALICE));
    Optional<String> carol = Optional.of(basic("carol:carol-secret"));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(carol));

    replace("alice:" + hash("new-alice-secret") + "\ncarol:" + hash("carol-secret") + "\n");
    assertEquals(new User("alice"), auth.authenticate(ALICE), "until the interval passes, the old file counts");
    clock.advance(RELOAD);

    int before = bcrypt.calls.get();
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(ALICE), "the old password is gone");
    assertEquals(before + 1, bcrypt.calls.get(), "the cached pair was forgotten and checked again");
    assertEquals(new User("alice"), auth.authenticate(Optional.of(basic("alice:new-alice-secret"))));
    assertEquals(new User("carol"), auth.authenticate(carol));
  }

  @Test
  void authenticate_removedUserIsRefusedAfterReload() throws IOException {
    PullAuthenticator auth = authenticator(Map.of());
    assertEquals(new User("alice"), auth.authenticate(ALICE));

    replace("bob@example.com:" + hash("pässwörd") + "\n");
    clock.advance(RELOAD);

    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(ALICE));
  }

  @Test
  void authenticate_passwordOver72BytesFailsEvenWithTheRightPrefix() throws IOException {
    String password72 = "p".repeat(72);
    replace("long:" + hash(password72) + "\n");
    PullAuthenticator auth = authenticator(Map.of());

    assertEquals(new User("long"), auth.authenticate(Optional.of(basic("long:" + password72))));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), auth.authenticate(Optional.of(basic("long:" + password72 + "p"))));
    assertEquals(new Failure(Reason.BAD_CREDENTIALS),
        auth.authenticate(Optional.of(basic("long:" + "p".repeat(71) + "ä"))), "72 characters, 73 bytes");
  }

  @Test
  void authenticateAsync_runsBcryptOnTheExecutorOncePerPair() {
    PullAuthenticator auth = authenticator(Map.of());
    QueueExecutor executor = new QueueExecutor();

    CompletableFuture<Identity> first = auth.authenticate(ALICE, executor).toCompletableFuture();
    CompletableFuture<Identity> second = auth.authenticate(ALICE, executor).toCompletableFuture();
    CompletableFuture<Identity> wrong = auth.authenticate(Optional.of(basic("alice:nope")), executor)
        .toCompletableFuture();
    assertFalse(first.isDone());
    assertSame(first, second, "the same pair shares one check");
    assertEquals(2, executor.tasks.size(), "one check per pair");

    executor.runAll();
    assertEquals(new User("alice"), first.join());
    assertEquals(new Failure(Reason.BAD_CREDENTIALS), wrong.join());
    assertEquals(2, bcrypt.calls.get());

    CompletableFuture<Identity> cached = auth.authenticate(ALICE, executor).toCompletableFuture();
    assertTrue(cached.isDone(), "a cached pair needs no executor");
    assertEquals(new User("alice"), cached.join());
    assertTrue(auth.authenticate(Optional.empty(), executor).toCompletableFuture().isDone());
    assertEquals(0, executor.tasks.size());
  }

  @Test
  void authenticateAsync_rejectedExecutorFailsThatRequestOnly() {
    PullAuthenticator auth = authenticator(Map.of());
    Executor rejecting = task -> {
      throw new RejectedExecutionException("shutting down");
    };

    CompletableFuture<Identity> refused = auth.authenticate(ALICE, rejecting).toCompletableFuture();
    assertThrows(CompletionException.class, refused::join);

    QueueExecutor executor = new QueueExecutor();
    CompletableFuture<Identity> next = auth.authenticate(ALICE, executor).toCompletableFuture();
    executor.runAll();
    assertEquals(new User("alice"), next.join());
  }

  @Test
  void mayRead_appliesReadRulesToUsersOnly() {
    PullAuthenticator auth = authenticator(Map.of("read-rules", List.of(
        Map.of("users", List.of("ci-*"), "repositories", List.of("library/*")))));
    Identity ci = auth.authenticate(Optional.of(basic("ci-runner_1:p@ss:with:colons")));
    Identity alice = auth.authenticate(ALICE);

    assertTrue(auth.mayRead(ci, "library/redis"));
    assertFalse(auth.mayRead(ci, "myorg/app"));
    assertFalse(auth.mayRead(alice, "library/redis"), "alice is in no rule");
    assertFalse(auth.mayRead(new Failure(Reason.MISSING), "library/redis"));
    assertFalse(auth.mayRead(Identity.Anonymous.INSTANCE, "library/redis"), "anonymous only when off");
    assertEquals(List.of("library/redis"),
        List.of("library/redis", "myorg/app").stream().filter(auth.readable(ci)).toList());
    assertEquals(List.of(),
        List.of("library/redis", "myorg/app").stream().filter(auth.readable(new Failure(Reason.BAD_CREDENTIALS)))
            .toList());
  }

  @Test
  void mayRead_noRulesLetsEveryUserReadEverything() {
    PullAuthenticator auth = authenticator(Map.of());

    assertTrue(auth.mayRead(auth.authenticate(ALICE), "any/repository"));
  }

  @Test
  void challenge_namesTheRealm() {
    assertEquals("Basic realm=\"layercake\"", authenticator(Map.of()).challenge());
    assertEquals("Basic realm=\"corp mirror\"", authenticator(Map.of("realm", "corp mirror")).challenge());
  }

  @Test
  void create_missingFileNamesKeyAndPath() {
    Path missing = dir.resolve("missing.htpasswd");

    String message = assertThrows(IllegalArgumentException.class,
        () -> PullAuthenticator.create(AuthTestConfig.settings(missing, Map.of()), clock)).getMessage();

    assertTrue(message.startsWith("layercake.auth.htpasswd (LAYERCAKE_AUTH_HTPASSWD) names " + missing), message);
  }

  @Test
  void toString_showsNoSecret() throws IOException {
    PullAuthenticator auth = authenticator(Map.of());
    auth.authenticate(ALICE);
    String text = auth.toString() + auth.authenticate(ALICE);

    assertFalse(text.contains("alice-secret"), text);
    assertFalse(text.contains(ALICE.get().substring(6)), text);
    for (String line : Files.readAllLines(htpasswd)) {
      if (line.contains("$2y$")) {
        assertFalse(text.contains(line.substring(line.indexOf("$2y$") + 7)), text);
      }
    }
  }

  private PullAuthenticator authenticator(Map<String, Object> overrides) {
    return PullAuthenticator.create(AuthTestConfig.settings(htpasswd, overrides), clock, bcrypt);
  }

  private void replace(String content) throws IOException {
    Path next = Files.writeString(dir.resolve("next.tmp"), content);
    Files.move(next, htpasswd, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String hash(String password) {
    return BCrypt.hashpw(password, BCrypt.gensalt("$2y", 4));
  }

  /** The real bcrypt check, counting its calls. */
  private static final class CountingCheck implements PasswordCheck {
    final AtomicInteger calls = new AtomicInteger();
    volatile BcryptHash lastHash;

    @Override
    public boolean matches(String password, BcryptHash hash) {
      calls.incrementAndGet();
      lastHash = hash;
      return PasswordCheck.BCRYPT.matches(password, hash);
    }
  }

  /** Holds tasks until the test runs them, so a check can be seen in flight. */
  private static final class QueueExecutor implements Executor {
    final Queue<Runnable> tasks = new ArrayDeque<>();

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    void runAll() {
      while (!tasks.isEmpty()) {
        tasks.poll().run();
      }
    }
  }
}
