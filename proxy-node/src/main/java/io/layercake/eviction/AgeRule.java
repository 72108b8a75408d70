package io.layercake.eviction;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.layercake.Glob;
import java.time.Duration;
import java.util.Set;

/**
 * One age rule of {@code layercake.eviction.rules}: which cached images it applies to, and how old
 * they may get. See {@link AgeRules} for when rules run and what removing an image means.
 *
 * <ul>
 *   <li>{@code match}: a {@link Glob} on the repository as cached ({@code library/redis}, not
 *       {@code redis}); required.
 *   <li>{@code tag}: a glob on the tag; default {@code *}.
 *   <li>{@code unused-for}: the image is removed when none of its blobs has been pulled from any
 *       node for this long (its last pull; an image with no blob left counts from when its tag
 *       was last validated).
 *   <li>{@code max-age}: the image is removed when the manifest its tag points at was first
 *       stored (on any node) this long ago, pulled or not.
 * </ul>
 * Exactly one of {@code unused-for} and {@code max-age} is given.
 *
 * @param index the rule's position in the list, for messages
 * @param repository pattern on the repository
 * @param tag pattern on the tag
 * @param unusedFor the {@code unused-for} limit, or null
 * @param maxAge the {@code max-age} limit, or null
 */
public record AgeRule(int index, Glob repository, Glob tag, Duration unusedFor, Duration maxAge) {

  private static final Set<String> KEYS = Set.of("match", "tag", "unused-for", "max-age");

  /** Checks that exactly one positive limit is set. */
  public AgeRule {
    if ((unusedFor == null) == (maxAge == null)) {
      throw new IllegalArgumentException(key(index) + " must set exactly one of unused-for and max-age");
    }
    Duration limit = unusedFor != null ? unusedFor : maxAge;
    if (limit.isNegative() || limit.isZero()) {
      throw new IllegalArgumentException(key(index) + " needs a positive duration, not " + limit);
    }
  }

  /** Reads the rule at {@code layercake.eviction.rules[index]}. */
  static AgeRule fromConfig(Config rule, int index) {
    for (String key : rule.root().keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException(key(index) + " has an unknown key '" + key
            + "' (known: match, tag, unused-for, max-age)");
      }
    }
    if (!rule.hasPath("match")) {
      throw new IllegalArgumentException(key(index) + " needs match = \"<repository pattern>\"");
    }
    try {
      return new AgeRule(index, new Glob(rule.getString("match")),
          rule.hasPath("tag") ? new Glob(rule.getString("tag")) : Glob.ANY,
          rule.hasPath("unused-for") ? rule.getDuration("unused-for") : null,
          rule.hasPath("max-age") ? rule.getDuration("max-age") : null);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(key(index) + ": " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith(key(index)) ? e.getMessage()
          : key(index) + ": " + e.getMessage(), e);
    }
  }

  /** Whether the rule applies to {@code repository:tag}. */
  public boolean appliesTo(String repositoryName, String tagName) {
    return repository.matches(repositoryName) && tag.matches(tagName);
  }

  /** The reason an eviction by this rule is recorded under. */
  public EvictionReason reason() {
    return unusedFor != null ? EvictionReason.UNUSED_FOR : EvictionReason.MAX_AGE;
  }

  /**
   * Whether an image this rule applies to is due at {@code now}.
   *
   * @param lastUsed the image's last use ({@link CachedImage#lastUsed}), epoch milliseconds
   * @param cachedAt when the image's manifest was first stored, epoch milliseconds
   */
  public boolean isDue(long now, long lastUsed, long cachedAt) {
    return unusedFor != null ? now - lastUsed > unusedFor.toMillis() : now - cachedAt > maxAge.toMillis();
  }

  private static String key(int index) {
    return "layercake.eviction.rules[" + index + "]";
  }

  @Override
  public String toString() {
    return "{ match = \"" + repository + "\", tag = \"" + tag + "\", "
        + (unusedFor != null ? "unused-for = " + unusedFor : "max-age = " + maxAge) + " }";
  }
}
