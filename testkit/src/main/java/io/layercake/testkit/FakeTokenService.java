package io.layercake.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The token half of Docker Hub's auth: issues opaque bearer tokens for the repositories named in
 * {@code scope=repository:<name>:pull} parameters and checks them later. A registry that names
 * another fake's realm checks tokens against that fake's service, as Docker Hub's registry trusts
 * auth.docker.io.
 */
final class FakeTokenService {

  private record Grant(Set<String> repositories, Instant expiresAt) {}

  private final Duration lifetime;
  private final Map<String, Grant> grants = new ConcurrentHashMap<>();

  FakeTokenService(Duration lifetime) {
    this.lifetime = lifetime;
  }

  Duration lifetime() {
    return lifetime;
  }

  /** Issues a token for the repositories of the given scope parameters. */
  String issue(Iterable<String> scopes) {
    Set<String> repositories = ConcurrentHashMap.newKeySet();
    for (String scope : scopes) {
      // repository:<name>:<actions>; a name may itself contain no colon, so split from both ends.
      int first = scope.indexOf(':');
      int last = scope.lastIndexOf(':');
      if (first > 0 && last > first && scope.substring(0, first).equals("repository")) {
        repositories.add(scope.substring(first + 1, last));
      }
    }
    String token = "fake-" + UUID.randomUUID();
    grants.put(token, new Grant(Set.copyOf(repositories), Instant.now().plus(lifetime)));
    return token;
  }

  /** Forgets every issued token, as a token service does when its signing key rotates. */
  void revokeAll() {
    grants.clear();
  }

  /** Whether {@code token} is live and covers {@code repository}; null checks liveness only. */
  boolean allows(String token, String repository) {
    Grant grant = grants.get(token);
    if (grant == null || Instant.now().isAfter(grant.expiresAt())) {
      return false;
    }
    return repository == null || grant.repositories().contains(repository);
  }
}
