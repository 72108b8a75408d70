package io.layercake;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretsTest {

  @Test
  void equal_sameText() {
    assertTrue(Secrets.equal("s3cret-token", "s3cret-token"));
    assertTrue(Secrets.equal("", ""));
    assertTrue(Secrets.equal("pässwörd", "pässwörd"));
  }

  @Test
  void equal_differentContentOrLength() {
    assertFalse(Secrets.equal("s3cret-token", "s3cret-tokem"));
    assertFalse(Secrets.equal("s3cret", "s3cret-token"));
    assertFalse(Secrets.equal("s3cret-token", "s3cret"));
    assertFalse(Secrets.equal("", "s3cret"));
    assertFalse(Secrets.equal("S3CRET", "s3cret"));
  }

  @Test
  void equal_nullNeverMatches() {
    assertFalse(Secrets.equal(null, "s3cret"));
    assertFalse(Secrets.equal("s3cret", null));
    assertFalse(Secrets.equal(null, null));
  }
}
