package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BcryptHashTest {

  /** alice:alice-secret from the fixture, as htpasswd -B -C 5 wrote it. */
  static final String ALICE = "$2y$05$52LgwwEaq29txuslKH8jw.LxGeT.e/Zf6p8kDEf61Cfd8U7XM.9Em";

  @Test
  void new_acceptsTheBcryptVariantsHtpasswdAndOthersWrite() {
    assertEquals(5, new BcryptHash(ALICE).cost());
    assertEquals(5, new BcryptHash(ALICE.replace("$2y$", "$2a$")).cost());
    assertEquals(5, new BcryptHash(ALICE.replace("$2y$", "$2b$")).cost());
    assertEquals(12, new BcryptHash(ALICE.replace("$05$", "$12$")).cost());
  }

  @Test
  void new_namesOtherSchemesWithoutShowingTheHash() {
    String apr1 = "$apr1$t5YdjCqX$sdDPRkK7l6RCBW0wA0PmV/";
    String sha = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";
    String crypt = "rqXexS6ZhobKA";
    String sha512 = "$6$saltsalt$qFmFH.bQmmtXzyBY0s9v7Oicd2z4XSIecDzlB5KiA2/jctKu9YterLp8wwnSq.qc.eoxqOmSuNp2xS0ktL3nh/";
    assertMessage(apr1, "MD5", "htpasswd -m");
    assertMessage(sha, "SHA-1", "htpasswd -s");
    assertMessage(crypt, "crypt");
    assertMessage(sha512, "SHA-crypt", "($6$)");
    assertMessage("", "empty");
    assertMessage("$2x$05$52LgwwEaq29txuslKH8jw.LxGeT.e/Zf6p8kDEf61Cfd8U7XM.9Em", "malformed bcrypt");
    assertMessage(ALICE.substring(0, 40), "malformed bcrypt");
  }

  @Test
  void new_rejectsCostsBcryptCannotRun() {
    assertThrows(IllegalArgumentException.class, () -> new BcryptHash(ALICE.replace("$05$", "$03$")));
    assertThrows(IllegalArgumentException.class, () -> new BcryptHash(ALICE.replace("$05$", "$32$")));
  }

  @Test
  void toString_hidesTheHash() {
    assertFalse(new BcryptHash(ALICE).toString().contains("52Lgww"));
  }

  private static void assertMessage(String hash, String... parts) {
    String message = assertThrows(IllegalArgumentException.class, () -> new BcryptHash(hash)).getMessage();
    for (String part : parts) {
      assertTrue(message.contains(part), message);
    }
    assertTrue(message.contains("htpasswd -B"), message);
    if (hash.length() > 6) {
      assertFalse(message.contains(hash.substring(6)), "the hash must not appear: " + message);
    }
  }
}
