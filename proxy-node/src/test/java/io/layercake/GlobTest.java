package io.layercake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {

  @Test
  void matches_starSpansSlashes() {
    assertTrue(new Glob("library/*").matches("library/redis"));
    assertTrue(new Glob("*").matches("myorg/team/app"));
    assertTrue(new Glob("*/app").matches("myorg/team/app"));
    assertFalse(new Glob("library/*").matches("myorg/redis"));
  }

  @Test
  void matches_wholeStringOnly() {
    assertFalse(new Glob("redis").matches("redis-stack"));
    assertTrue(new Glob("redis*").matches("redis-stack"));
    assertFalse(new Glob("pr-*").matches("main-pr-1"));
  }

  @Test
  void matches_questionMarkIsOneCharacter() {
    assertTrue(new Glob("v?").matches("v1"));
    assertFalse(new Glob("v?").matches("v10"));
    assertFalse(new Glob("v?").matches("v"));
  }

  @Test
  void matches_severalStarsBacktrack() {
    assertTrue(new Glob("*a*b*c").matches("xxaxxbxxbxxc"));
    assertFalse(new Glob("*a*b*c").matches("xxaxxbxxbxx"));
    assertTrue(new Glob("**").matches(""));
  }

  @Test
  void matches_userNames() {
    assertTrue(new Glob("ci-*").matches("ci-runner_2"));
    assertTrue(new Glob("*@example.com").matches("alice.smith@example.com"));
    assertFalse(new Glob("*@example.com").matches("alice@example.org"));
  }

  @Test
  void new_rejectsCharactersOutsideNamesAndWildcards() {
    assertThrows(IllegalArgumentException.class, () -> new Glob(""));
    assertThrows(IllegalArgumentException.class, () -> new Glob("redis[0-9]"));
    assertThrows(IllegalArgumentException.class, () -> new Glob("a b"));
  }
}
