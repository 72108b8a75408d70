package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

  @Test
  void parse_userAndPassword() {
    assertEquals(new BasicCredentials("alice", "alice-secret"), BasicCredentials.parse(basic("alice:alice-secret")));
  }

  @Test
  void parse_schemeInAnyCaseAndSpacesAround() {
    String encoded = encode("alice:pw");
    assertEquals("alice", BasicCredentials.parse("basic " + encoded).user());
    assertEquals("alice", BasicCredentials.parse("BASIC   " + encoded + " ").user());
    assertEquals("alice", BasicCredentials.parse(" Basic " + encoded + "\t").user());
  }

  @Test
  void parse_splitsAtTheFirstColon() {
    BasicCredentials credentials = BasicCredentials.parse(basic("ci-runner_1:p@ss:with:colons"));

    assertEquals("ci-runner_1", credentials.user());
    assertEquals("p@ss:with:colons", credentials.password());
  }

  @Test
  void parse_utf8AndEmptyPassword() {
    assertEquals("pässwörd", BasicCredentials.parse(basic("bob@example.com:pässwörd")).password());
    assertEquals("", BasicCredentials.parse(basic("alice:")).password());
  }

  @Test
  void parse_base64WithoutPadding() {
    String unpadded = encode("alice:pw1").replace("=", "");

    assertEquals("pw1", BasicCredentials.parse("Basic " + unpadded).password());
  }

  @Test
  void parse_rejectsOtherSchemesAndMissingCredentials() {
    assertMalformed("Bearer abc.def.ghi", "the scheme is not Basic");
    assertMalformed("Basicabc", "the scheme is not Basic");
    assertMalformed("Basic", "Basic without credentials");
    assertMalformed("Basic   ", "Basic without credentials");
    assertMalformed("", "the scheme is not Basic");
  }

  @Test
  void parse_rejectsMalformedBase64() {
    assertMalformed("Basic YWxpY2U6cHc*", "the credentials are not base64");
    assertMalformed("Basic YWxp Y2U6cHc=", "the credentials are not base64");
    assertMalformed("Basic YWxpY2U6cHc=x", "the credentials are not base64");
    assertMalformed("Basic Y", "the credentials are not base64");
    assertMalformed("Basic YWxpY2U6cHc=\u00e9", "the credentials are not base64");
  }

  @Test
  void parse_rejectsMalformedUtf8() {
    byte[] latin1 = "bob:p\u00e4ss".getBytes(StandardCharsets.ISO_8859_1);
    assertMalformed("Basic " + Base64.getEncoder().encodeToString(latin1), "the credentials are not UTF-8");
    byte[] overlong = {'a', ':', (byte) 0xc0, (byte) 0xaf};
    assertMalformed("Basic " + Base64.getEncoder().encodeToString(overlong), "the credentials are not UTF-8");
  }

  @Test
  void parse_rejectsMissingColonAndEmptyUser() {
    assertMalformed(basic("alice"), "no ':' between user and password");
    assertMalformed(basic(":password"), "an empty user name");
  }

  @Test
  void parse_rejectsControlCharacters() {
    assertMalformed(basic("alice:pass\nword"), "a control character in the user name or password");
    assertMalformed(basic("ali\u0000ce:password"), "a control character in the user name or password");
    assertMalformed(basic("alice:pass\u007fword"), "a control character in the user name or password");
    assertMalformed(basic("alice:pass\u0085word"), "a control character in the user name or password");
  }

  @Test
  void parse_rejectsOverlongCredentials() {
    assertMalformed(basic("alice:" + "x".repeat(BasicCredentials.MAX_ENCODED_LENGTH)),
        "credentials longer than 1024 characters");
  }

  @Test
  void parse_messagesNeverHoldTheInput() {
    String header = basic("alice");
    String message = assertThrows(IllegalArgumentException.class, () -> BasicCredentials.parse(header)).getMessage();

    assertFalse(message.contains("alice"), message);
    assertFalse(message.contains(encode("alice")), message);
  }

  @Test
  void toString_hidesThePassword() {
    String text = BasicCredentials.parse(basic("alice:alice-secret")).toString();

    assertEquals("BasicCredentials[user=alice, password=<hidden>]", text);
  }

  static String basic(String userAndPassword) {
    return "Basic " + encode(userAndPassword);
  }

  private static String encode(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertMalformed(String header, String expected) {
    assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> BasicCredentials.parse(header),
        header).getMessage());
  }
}
