package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.Glob;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReadRulesTest {

  private final ReadRules rules = new ReadRules(List.of(
      rule(List.of("ci-*", "alice"), List.of("library/*")),
      rule(List.of("alice"), List.of("myorg/*")),
      rule(List.of("*@example.com"), List.of("library/redis", "myorg/app"))));

  @Test
  void allows_anyRuleMatchingBothUserAndRepository() {
    assertTrue(rules.allows("ci-runner_1", "library/redis"));
    assertTrue(rules.allows("alice", "library/redis"));
    assertTrue(rules.allows("alice", "myorg/team/app"), "a second rule adds to the first");
    assertTrue(rules.allows("bob@example.com", "myorg/app"));
  }

  @Test
  void allows_noRuleForThePair() {
    assertFalse(rules.allows("ci-runner_1", "myorg/app"), "the rule naming myorg/* does not name ci-*");
    assertFalse(rules.allows("bob@example.com", "library/nginx"));
    assertFalse(rules.allows("alice", "other/app"));
  }

  @Test
  void allows_userOutsideEveryRuleIsDenied() {
    assertFalse(rules.allows("mallory", "library/redis"));
    assertFalse(rules.allows("ci", "library/redis"), "ci-* needs the dash");
  }

  @Test
  void allows_noRulesAllowsEveryone() {
    assertTrue(ReadRules.ALLOW_ALL.allows("anyone", "any/repository"));
    assertTrue(new ReadRules(List.of()).readableBy("anyone").test("library/redis"));
  }

  @Test
  void readableBy_filtersACatalog() {
    List<String> catalog = List.of("library/redis", "library/nginx", "myorg/app", "other/app");

    assertEquals(List.of("library/redis", "myorg/app"),
        catalog.stream().filter(rules.readableBy("bob@example.com")).toList());
    assertEquals(List.of(), catalog.stream().filter(rules.readableBy("mallory")).toList());
  }

  @Test
  void fromConfig_registryHostsInPatterns_withAPort() {
    AuthSettings settings = AuthSettings.fromConfig(AuthTestConfig.config(Map.of("read-rules", List.of(
        Map.of("users", List.of("alice"), "repositories", List.of("ghcr.io/org/*", "registry.internal:5000/team/*"))))));

    ReadRules read = settings.readRules();
    assertTrue(read.allows("alice", "ghcr.io/org/app"));
    assertTrue(read.allows("alice", "registry.internal:5000/team/app"));
    assertFalse(read.allows("alice", "org/app"), "Docker Hub's org/app is not ghcr's");
  }

  @Test
  void fromConfig_readsUsersAndRepositories() {
    AuthSettings settings = AuthSettings.fromConfig(AuthTestConfig.config(Map.of("read-rules", List.of(
        Map.of("users", List.of("ci-*", "alice"), "repositories", List.of("library/*"))))));

    assertEquals(List.of(rule(List.of("ci-*", "alice"), List.of("library/*"))), settings.readRules().rules());
  }

  @Test
  void fromConfig_errorsNameTheRule() {
    assertRuleError(Map.of("users", List.of("alice")),
        "layercake.auth.read-rules[0] needs repositories = [\"<pattern>\", ...]");
    assertRuleError(Map.of("users", List.of("alice"), "repositories", List.of()),
        "layercake.auth.read-rules[0].repositories must list at least one pattern");
    assertRuleError(Map.of("users", "alice", "repositories", List.of("library/*")),
        "layercake.auth.read-rules[0].users must be a list of strings");
    assertRuleError(Map.of("users", List.of("alice"), "repositories", List.of("*"), "tags", List.of("*")),
        "layercake.auth.read-rules[0] has an unknown key 'tags' (known: users, repositories)");
    assertRuleError(Map.of("users", List.of("alice", "bob:x"), "repositories", List.of("*")),
        "layercake.auth.read-rules[0].users[1] = \"bob:x\" can never match");
    assertRuleError(Map.of("users", List.of("team/alice"), "repositories", List.of("*")),
        "layercake.auth.read-rules[0].users[0] = \"team/alice\" can never match");
    assertRuleError(Map.of("users", List.of("alice"), "repositories", List.of("library/redis:7")),
        "layercake.auth.read-rules[0].repositories[0] = \"library/redis:7\" can never match");
    assertRuleError(Map.of("users", List.of("alice"), "repositories", List.of("Library/*")),
        "layercake.auth.read-rules[0].repositories[0] = \"Library/*\" can never match");
  }

  @Test
  void fromConfig_notAList() {
    String message = assertThrows(IllegalArgumentException.class,
        () -> AuthSettings.fromConfig(AuthTestConfig.config(Map.of("read-rules", "alice")))).getMessage();

    assertTrue(message.startsWith("layercake.auth.read-rules must be a list of"), message);
  }

  private static void assertRuleError(Map<String, Object> rule, String expectedStart) {
    String message = assertThrows(IllegalArgumentException.class, () -> AuthSettings.fromConfig(
        AuthTestConfig.config(Map.of("read-rules", List.of(rule))))).getMessage();
    assertTrue(message.startsWith(expectedStart), message);
  }

  private static ReadRule rule(List<String> users, List<String> repositories) {
    return new ReadRule(users.stream().map(Glob::new).toList(), repositories.stream().map(Glob::new).toList());
  }
}
