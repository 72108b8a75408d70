package io.layercake.auth;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/*
 * Implementation notes
 *
 * Cost per request: clients send Basic credentials with every request, so the common case must
 * be cheap. authenticate parses the header (base64, UTF-8), asks the htpasswd file for its users
 * (a clock read until a reload check is due), computes an HMAC of the pair and looks it up in the
 * VerifiedCache: about a microsecond, no bcrypt. Only the first request of a pair within
 * verified-cache-ttl (or after the file changed) runs bcrypt.
 *
 * Blocking: bcrypt is CPU work of milliseconds (cost 5) to tens of milliseconds (cost 10), which
 * should not run on an Akka dispatcher thread. The asynchronous authenticate runs it on the
 * executor it is given (the blocking-IO dispatcher) and answers everything else at once. Requests
 * that arrive with the same pair while its check runs wait for that check instead of starting
 * their own ("single flight"): a herd of CI jobs that share one account, all starting together,
 * costs one bcrypt, not one per job. A wrong password is coalesced the same way, which also blunts
 * a flood of identical guesses.
 *
 * Timing: a user the file does not list is checked against a hash of a random password with the
 * file's most common cost (HtpasswdUsers.unknownUserHash), so a wrong name costs as much as a
 * wrong password, and the answer is the same BAD_CREDENTIALS. A password over 72 bytes fails
 * without hashing whoever the user is (PasswordCheck.BCRYPT), so that reveals nothing either.
 *
 * Secrets: the header, the password and the hashes are never logged and never in a toString;
 * messages and Reason texts hold nothing from the request.
 */

/**
 * Pull authentication, the one object the HTTP layer calls: {@link #authenticate} turns a
 * request's {@code Authorization} header into an {@link Identity}, {@link #challenge()} is the
 * {@code WWW-Authenticate} value for a 401, and {@link #mayRead} and {@link #readable} apply the
 * read rules. Thread-safe.
 */
public final class PullAuthenticator {

  /** What {@link #prepare} decided without bcrypt: an answer, or a pair that bcrypt must check. */
  private sealed interface Step {}

  private record Decided(Identity identity) implements Step {}

  private record Unverified(BasicCredentials credentials, VerifiedCache.Key key, HtpasswdUsers users)
      implements Step {}

  /** A running check: the pair, against one version of the file. */
  private record Flight(VerifiedCache.Key key, HtpasswdUsers users) {}

  private final AuthSettings settings;
  private final Optional<HtpasswdFile> file;
  private final VerifiedCache cache;
  private final PasswordCheck passwordCheck;
  private final String challenge;
  private final Map<Flight, CompletableFuture<Identity>> flights = new ConcurrentHashMap<>();
  /** The file version the cache holds entries of; on a change the cache is cleared. */
  private volatile HtpasswdUsers cachedVersion;

  private PullAuthenticator(AuthSettings settings, Optional<HtpasswdFile> file, Clock clock,
      PasswordCheck passwordCheck) {
    this.settings = settings;
    this.file = file;
    this.cache = new VerifiedCache(settings.verifiedCacheTtl(), settings.verifiedCacheSize(), clock);
    this.passwordCheck = passwordCheck;
    this.challenge = "Basic realm=\"" + settings.realm() + "\"";
  }

  /**
   * The authenticator for {@code settings}; with an htpasswd file, reads it now.
   *
   * @throws IllegalArgumentException naming {@code layercake.auth.htpasswd} and the path if the
   *     file is missing, unreadable or has bad lines (each named by number)
   */
  public static PullAuthenticator create(AuthSettings settings, Clock clock) {
    return create(settings, clock, PasswordCheck.BCRYPT);
  }

  /** As {@link #create(AuthSettings, Clock)}, with the password check given (tests count calls). */
  static PullAuthenticator create(AuthSettings settings, Clock clock, PasswordCheck passwordCheck) {
    Optional<HtpasswdFile> file =
        settings.htpasswd().map(path -> HtpasswdFile.open(path, settings.reloadInterval(), clock));
    return new PullAuthenticator(settings, file, clock, passwordCheck);
  }

  /** Whether pull authentication is on; when off, every request is {@link Identity.Anonymous}. */
  public boolean enabled() {
    return file.isPresent();
  }

  /** The {@code WWW-Authenticate} header value of a 401: {@code Basic realm="<realm>"}. */
  public String challenge() {
    return challenge;
  }

  /**
   * Who sent a request, from its {@code Authorization} header value. May run one bcrypt check
   * (milliseconds to tens of milliseconds of CPU) when the pair is not in the verified cache: on
   * a dispatcher thread, prefer {@link #authenticate(Optional, Executor)}.
   */
  public Identity authenticate(Optional<String> authorization) {
    Step step = prepare(authorization);
    return step instanceof Unverified unverified ? verify(unverified) : ((Decided) step).identity();
  }

  /**
   * As {@link #authenticate(Optional)}, but a bcrypt check runs on {@code blockingExecutor}, and
   * requests with the same pair share one check. Everything else, including a cached pair,
   * completes at once on the caller's thread.
   */
  public CompletionStage<Identity> authenticate(Optional<String> authorization, Executor blockingExecutor) {
    Step step = prepare(authorization);
    if (step instanceof Decided decided) {
      return CompletableFuture.completedFuture(decided.identity());
    }
    Unverified unverified = (Unverified) step;
    Flight flight = new Flight(unverified.key(), unverified.users());
    CompletableFuture<Identity> mine = new CompletableFuture<>();
    CompletableFuture<Identity> running = flights.putIfAbsent(flight, mine);
    if (running != null) {
      return running;
    }
    try {
      blockingExecutor.execute(() -> runFlight(flight, mine, unverified));
    } catch (RejectedExecutionException e) {
      flights.remove(flight, mine);
      mine.completeExceptionally(e);
    }
    return mine;
  }

  /**
   * Whether {@code identity} may read {@code repository}, its canonical name ({@code
   * library/redis}). Always true when authentication is off; never for a {@link
   * Identity.Failure}.
   */
  public boolean mayRead(Identity identity, String repository) {
    return readable(identity).test(repository);
  }

  /**
   * Whether read rules limit {@code identity} to some repositories. Content cached for one
   * repository is reachable by digest through any other, so a limited identity's requests by
   * digest need proof that the digest belongs to the repository named.
   */
  public boolean limited(Identity identity) {
    if (!enabled()) {
      return false;
    }
    return !(identity instanceof Identity.User user) || !settings.readRules().allowsEverything(user.name());
  }

  /** The repositories {@code identity} may read, as a filter: for {@code _catalog}. */
  public Predicate<String> readable(Identity identity) {
    if (identity instanceof Identity.User user && enabled()) {
      return settings.readRules().readableBy(user.name());
    }
    boolean open = identity == Identity.Anonymous.INSTANCE && !enabled();
    return repository -> open;
  }

  private Step prepare(Optional<String> authorization) {
    if (file.isEmpty()) {
      return new Decided(Identity.Anonymous.INSTANCE);
    }
    if (authorization.isEmpty()) {
      return new Decided(new Identity.Failure(Identity.Reason.MISSING));
    }
    BasicCredentials credentials;
    try {
      credentials = BasicCredentials.parse(authorization.get());
    } catch (IllegalArgumentException e) {
      return new Decided(new Identity.Failure(Identity.Reason.MALFORMED));
    }
    HtpasswdUsers users = file.get().users();
    if (users != cachedVersion) {
      cachedVersion = users;
      cache.clear();
    }
    VerifiedCache.Key key = cache.key(credentials.user(), credentials.password());
    Optional<String> verified = cache.verifiedUser(key, users);
    if (verified.isPresent()) {
      return new Decided(new Identity.User(verified.get()));
    }
    return new Unverified(credentials, key, users);
  }

  private Identity verify(Unverified unverified) {
    String user = unverified.credentials().user();
    Optional<BcryptHash> hash = unverified.users().hash(user);
    // bcrypt runs for unknown users too, first, so both cost the same
    boolean matches = passwordCheck.matches(unverified.credentials().password(),
        hash.orElseGet(unverified.users()::unknownUserHash)) && hash.isPresent();
    if (!matches) {
      return new Identity.Failure(Identity.Reason.BAD_CREDENTIALS);
    }
    cache.remember(unverified.key(), user, unverified.users());
    return new Identity.User(user);
  }

  /** Runs a check for {@link #authenticate(Optional, Executor)} and completes its flight. */
  private void runFlight(Flight flight, CompletableFuture<Identity> result, Unverified unverified) {
    try {
      Identity identity = verify(unverified);
      // leave the map before completing: a request after this finds the cache, not a done flight
      flights.remove(flight, result);
      result.complete(identity);
    } catch (Throwable e) {
      // as CompletableFuture.supplyAsync does: whatever failed, the waiters hear of it
      flights.remove(flight, result);
      result.completeExceptionally(e);
    }
  }

  @Override
  public String toString() {
    return file.map(htpasswd -> "PullAuthenticator[on, " + htpasswd + ", "
        + settings.readRules().rules().size() + " read rules, " + cache + "]")
        .orElse("PullAuthenticator[off]");
  }
}
