package io.layercake.auth;

import java.util.List;
import java.util.function.Predicate;

/**
 * Which user may read which repository: a user may read a repository if any rule lists a pattern
 * matching the user and a pattern matching the repository. The order of the rules does not
 * matter, and there is no deny rule. No rules at all means every authenticated user reads every
 * repository.
 *
 * @param rules the rules of {@code layercake.auth.read-rules}
 */
public record ReadRules(List<ReadRule> rules) {

  /** No rules: every authenticated user reads everything. */
  public static final ReadRules ALLOW_ALL = new ReadRules(List.of());

  /** Copies the list. */
  public ReadRules {
    rules = List.copyOf(rules);
  }

  /** Whether {@code user} may read {@code repository} (its canonical name, {@code library/redis}). */
  public boolean allows(String user, String repository) {
    return rules.isEmpty() || rules.stream().anyMatch(rule -> rule.allows(user, repository));
  }

  /**
   * Whether {@code user} may read every repository: no rules, or a rule for the user whose
   * repository pattern is {@code *}. Only a user for whom this is false is limited by the rules.
   */
  public boolean allowsEverything(String user) {
    return rules.isEmpty() || rules.stream().anyMatch(rule -> rule.allowsEverything(user));
  }

  /** The repositories {@code user} may read, as a filter (for {@code _catalog}). */
  public Predicate<String> readableBy(String user) {
    return repository -> allows(user, repository);
  }
}
