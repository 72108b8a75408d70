package io.layercake.auth;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.Glob;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One entry of {@code layercake.auth.read-rules}: the users it names may read the repositories it
 * names. A user matches if any of {@code users} matches the user name; a repository matches if
 * any of {@code repositories} matches its canonical name ({@code library/redis}, never
 * {@code redis}), with its registry's host before it when it is not Docker Hub's
 * ({@code ghcr.io/org/app}).
 *
 * @param users patterns on user names, at least one
 * @param repositories patterns on repository names, at least one
 */
public record ReadRule(List<Glob> users, List<Glob> repositories) {

  /** What a user pattern may hold: the characters of a user name, and the wildcards. */
  private static final Pattern USER_PATTERN = Pattern.compile("[A-Za-z0-9._@*?-]+");
  /**
   * What a repository pattern may hold: the characters of a repository name, and the wildcards,
   * after an optional registry host with a port ({@code registry.internal:5000/team/*}); a colon
   * anywhere else would be a tag, which a repository never matches.
   */
  private static final Pattern REPOSITORY_PATTERN = Pattern.compile("[a-z0-9._*?-]+(?::[0-9*?]+/)?[a-z0-9._/*?-]*");
  private static final Set<String> KEYS = Set.of("users", "repositories");

  /** Requires at least one pattern of each kind. */
  public ReadRule {
    users = List.copyOf(users);
    repositories = List.copyOf(repositories);
    if (users.isEmpty() || repositories.isEmpty()) {
      throw new IllegalArgumentException("a read rule needs at least one user and one repository pattern");
    }
  }

  /** Whether this rule lets {@code user} read every repository (a repository pattern {@code *}). */
  public boolean allowsEverything(String user) {
    return anyMatches(users, user) && repositories.contains(Glob.ANY);
  }

  /** Whether this rule lets {@code user} read {@code repository}. */
  public boolean allows(String user, String repository) {
    return anyMatches(users, user) && anyMatches(repositories, repository);
  }

  /**
   * Reads the rule at {@code layercake.auth.read-rules[index]}.
   *
   * @throws IllegalArgumentException naming the rule's key and what is wrong
   */
  static ReadRule fromConfig(Config rule, int index) {
    String key = "layercake.auth.read-rules[" + index + "]";
    for (String name : rule.root().keySet()) {
      if (!KEYS.contains(name)) {
        throw new IllegalArgumentException(key + " has an unknown key '" + name
            + "' (known: users, repositories)");
      }
    }
    return new ReadRule(
        patterns(rule, key, "users", USER_PATTERN, "user names: letters, digits, '.', '_', '-', '@'"),
        patterns(rule, key, "repositories", REPOSITORY_PATTERN,
            "repository names as cached (library/redis, ghcr.io/org/app): lowercase letters, digits, "
                + "'.', '_', '-', '/', and ':' only in a registry host's port"));
  }

  private static List<Glob> patterns(Config rule, String ruleKey, String name, Pattern allowed,
      String characters) {
    String key = ruleKey + "." + name;
    List<String> values;
    try {
      values = rule.getStringList(name);
    } catch (ConfigException.Missing e) {
      throw new IllegalArgumentException(ruleKey + " needs " + name + " = [\"<pattern>\", ...]", e);
    } catch (ConfigException.WrongType e) {
      throw new IllegalArgumentException(key + " must be a list of strings: " + e.getMessage(), e);
    }
    if (values.isEmpty()) {
      throw new IllegalArgumentException(key + " must list at least one pattern");
    }
    List<Glob> globs = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      String value = values.get(i);
      if (!allowed.matcher(value).matches()) {
        throw new IllegalArgumentException(key + "[" + i + "] = \"" + value + "\" can never match: "
            + "patterns match " + characters + ", with the wildcards * and ?");
      }
      globs.add(new Glob(value));
    }
    return globs;
  }

  private static boolean anyMatches(List<Glob> patterns, String text) {
    return patterns.stream().anyMatch(pattern -> pattern.matches(text));
  }

  @Override
  public String toString() {
    return "{ users = " + users + ", repositories = " + repositories + " }";
  }
}
