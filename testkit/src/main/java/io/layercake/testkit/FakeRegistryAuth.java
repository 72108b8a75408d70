package io.layercake.testkit;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The auth half of {@link FakeRegistryHandler}: who may read {@code /v2/}, the 401 challenge that
 * says how to get in, and the {@code /token} endpoint, all in Docker Hub's shapes.
 */
final class FakeRegistryAuth {

  /** The {@code service} of the token challenge. */
  static final String SERVICE = "fake-registry";

  private final FakeRegistry registry;

  FakeRegistryAuth(FakeRegistry registry) {
    this.registry = registry;
  }

  /** Whether the request may read {@code repo} (null for the {@code /v2/} base). */
  boolean authorized(HttpExchange exchange, String repo) {
    FakeRegistry.Options options = registry.options();
    if (options.basicAuth()) {
      return basicMatches(exchange, options);
    }
    if (!options.tokenAuth()) {
      return true;
    }
    String header = exchange.getRequestHeaders().getFirst("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    // Like Docker Hub, a token for a repository that does not exist grants nothing: the client
    // cannot tell "missing" from "private", and gets a 401 either way.
    return registry.realmTokenService().allows(header.substring("Bearer ".length()), repo)
        && (repo == null || registry.content().exists(repo));
  }

  /** Answers 401 with the challenge a Docker client follows. */
  void challenge(HttpExchange exchange, String repo) throws IOException {
    String value;
    if (registry.options().basicAuth()) {
      value = "Basic realm=\"" + SERVICE + "\"";
    } else {
      value = "Bearer realm=\"" + registry.realm() + "\",service=\"" + SERVICE + "\"";
      if (repo != null) {
        value += ",scope=\"repository:" + repo + ":pull\"";
      }
    }
    exchange.getResponseHeaders().set("WWW-Authenticate", value);
    FakeRegistryHandler.sendError(exchange, 401, "UNAUTHORIZED", "authentication required", repo);
  }

  /**
   * Answers {@code GET /token}: with credentials configured, only to matching Basic auth; the
   * token covers the repositories of the scope parameters (each may hold several, space-separated).
   */
  void issueToken(HttpExchange exchange, List<String> scopeParameters) throws IOException {
    FakeRegistry.Options options = registry.options();
    if (options.username() != null && !basicMatches(exchange, options)) {
      FakeRegistryHandler.sendJson(exchange, 401, "{\"details\":\"incorrect username or password\"}");
      return;
    }
    List<String> scopes = new ArrayList<>();
    for (String parameter : scopeParameters) {
      scopes.addAll(List.of(parameter.split(" ")));
    }
    FakeTokenService tokens = registry.tokenService();
    String token = tokens.issue(scopes);
    FakeRegistryHandler.sendJson(exchange, 200, "{\"token\":\"" + token + "\",\"access_token\":\""
        + token + "\",\"expires_in\":" + tokens.lifetime().toSeconds() + ",\"issued_at\":\""
        + Instant.now() + "\"}");
  }

  private static boolean basicMatches(HttpExchange exchange, FakeRegistry.Options options) {
    String pair = options.username() + ":" + options.password();
    String expected =
        "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
    return expected.equals(exchange.getRequestHeaders().getFirst("Authorization"));
  }
}
