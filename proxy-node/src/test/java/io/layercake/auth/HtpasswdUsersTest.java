package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtpasswdUsersTest {

  private static final String ALICE = BcryptHashTest.ALICE;
  private static final String APR1 = "$apr1$t5YdjCqX$sdDPRkK7l6RCBW0wA0PmV/";

  @Test
  void parse_fixtureWithCommentsAndBlankLines() throws IOException {
    HtpasswdUsers users = HtpasswdUsers.parse(Files.readAllLines(AuthTestConfig.fixture()));

    assertEquals(3, users.size());
    assertTrue(users.hash("alice").isPresent());
    assertTrue(users.hash("ci-runner_1").isPresent());
    assertTrue(users.hash("bob@example.com").isPresent());
    assertFalse(users.hash("Alice").isPresent(), "user names are case-sensitive");
    assertFalse(users.hash("# a comment between users").isPresent());
  }

  @Test
  void parse_toleratesWindowsLineEndsAndTrailingSpace() {
    HtpasswdUsers users = HtpasswdUsers.parse(List.of("alice:" + ALICE + "\r", "  # indented comment", "\t"));

    assertEquals(1, users.size());
    assertEquals(5, users.hash("alice").orElseThrow().cost());
  }

  @Test
  void parse_emptyFileHasNoUsers() {
    assertEquals(0, HtpasswdUsers.parse(List.of()).size());
    assertEquals(0, HtpasswdUsers.parse(List.of("# nobody yet", "")).size());
  }

  @Test
  void parse_nonBcryptHashNamesLineNumberAndUserNeverTheHash() {
    String message = assertThrows(IllegalArgumentException.class, () -> HtpasswdUsers.parse(
        List.of("# users", "alice:" + ALICE, "bob:" + APR1))).getMessage();

    assertTrue(message.startsWith("line 3 (user 'bob'): an MD5 hash"), message);
    assertFalse(message.contains("t5YdjCqX"), message);
  }

  @Test
  void parse_plainTextPasswordIsNotShown() {
    String message = assertThrows(IllegalArgumentException.class,
        () -> HtpasswdUsers.parse(List.of("carol:hunter2"))).getMessage();

    assertTrue(message.startsWith("line 1 (user 'carol'): "), message);
    assertFalse(message.contains("hunter2"), message);
  }

  @Test
  void parse_userListedTwice() {
    String message = assertThrows(IllegalArgumentException.class, () -> HtpasswdUsers.parse(
        List.of("alice:" + ALICE, "", "alice:" + ALICE))).getMessage();

    assertEquals("line 3 (user 'alice'): the user is listed again (first on line 1)", message);
  }

  @Test
  void parse_lineWithoutColonIsNotShown() {
    String message = assertThrows(IllegalArgumentException.class,
        () -> HtpasswdUsers.parse(List.of("alice:" + ALICE, "s3cretpassword"))).getMessage();

    assertEquals("line 2: no ':' between user and hash", message);
  }

  @Test
  void parse_badUserNames() {
    for (String user : List.of("", " alice", "al ice", "bö", "a/b", "x".repeat(256))) {
      String message = assertThrows(IllegalArgumentException.class,
          () -> HtpasswdUsers.parse(List.of(user + ":" + ALICE)), user).getMessage();
      assertTrue(message.startsWith("line 1: the user name must be 1 to 255 letters"), message);
    }
  }

  @Test
  void parse_reportsSeveralBadLinesAndCountsTheRest() {
    String message = assertThrows(IllegalArgumentException.class, () -> HtpasswdUsers.parse(
        List.of("a:x", "b:x", "c:x", "d:x", "e:x", "f:x", "g:x"))).getMessage();

    assertTrue(message.contains("line 1 (user 'a')"), message);
    assertTrue(message.contains("line 5 (user 'e')"), message);
    assertFalse(message.contains("line 6"), message);
    assertTrue(message.endsWith("; and 2 more bad lines"), message);
  }

  @Test
  void unknownUserHash_hasTheMostCommonCost() {
    String cost4 = ALICE.replace("$05$", "$04$");
    HtpasswdUsers users = HtpasswdUsers.parse(List.of("a:" + cost4, "b:" + cost4, "c:" + ALICE));

    assertEquals(4, users.unknownUserHash().cost());
    assertEquals(users.unknownUserHash(), users.unknownUserHash(), "made once");
  }

  @Test
  void toString_showsNoHash() {
    HtpasswdUsers users = HtpasswdUsers.parse(List.of("alice:" + ALICE));

    assertEquals("HtpasswdUsers[1 users]", users.toString());
  }
}
