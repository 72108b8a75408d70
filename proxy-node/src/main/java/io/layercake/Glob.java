package io.layercake;

import java.util.regex.Pattern;

/**
 * A shell-style pattern matched against a whole repository name, tag, {@code repository:tag} or
 * user name: {@code *} matches any run of characters, slashes included ({@code library/*} matches
 * {@code library/redis}); {@code ?} matches one character; everything else matches itself.
 *
 * <p>Eviction rules and the admin verbs match repositories and tags with it; pull authentication
 * matches htpasswd user names ({@code ci-*}, {@code alice@example.com}). The allowed characters
 * are those of all of these, so one class serves both.
 *
 * @param pattern the pattern as written
 */
public record Glob(String pattern) {

  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._/:@*?-]+");

  /** Validates the pattern. */
  public Glob {
    if (pattern == null || !ALLOWED.matcher(pattern).matches()) {
      throw new IllegalArgumentException("invalid pattern '" + pattern
          + "': use letters, digits, . _ - / : @ and the wildcards * and ?");
    }
  }

  /** The pattern that matches everything. */
  public static final Glob ANY = new Glob("*");

  /** Whether {@code text} matches the whole pattern. */
  public boolean matches(String text) {
    return matches(text, 0, 0);
  }

  private boolean matches(String text, int t, int p) {
    // Iterative with one backtrack point: the classic wildcard match, linear for one star and
    // O(text x pattern) at worst; patterns and names are short.
    int starP = -1;
    int starT = -1;
    while (t < text.length()) {
      if (p < pattern.length() && (pattern.charAt(p) == '?' || pattern.charAt(p) == text.charAt(t))
          && pattern.charAt(p) != '*') {
        t++;
        p++;
      } else if (p < pattern.length() && pattern.charAt(p) == '*') {
        starP = p++;
        starT = t;
      } else if (starP >= 0) {
        p = starP + 1;
        t = ++starT;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }

  @Override
  public String toString() {
    return pattern;
  }
}
