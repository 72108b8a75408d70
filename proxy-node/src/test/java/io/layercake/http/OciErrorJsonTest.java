package io.layercake.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.layercake.oci.ErrorCode;
import io.layercake.oci.OciException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class OciErrorJsonTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void render_exactShape() {
    OciException error =
        new OciException(ErrorCode.BLOB_UNKNOWN, "blob unknown to registry", "sha256:abc");

    assertEquals(
        "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\","
            + "\"detail\":\"sha256:abc\"}]}",
        new String(OciErrorJson.render(error), StandardCharsets.UTF_8));
  }

  @Test
  void render_detailAbsent() throws IOException {
    JsonNode body = parse(new OciException(ErrorCode.MANIFEST_UNKNOWN, "manifest unknown", null));

    JsonNode only = body.get("errors").get(0);
    assertFalse(only.has("detail"));
    assertEquals("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}",
        JSON.writeValueAsString(body));
  }

  @Test
  void render_defaultMessage() throws IOException {
    JsonNode only = parse(new OciException(ErrorCode.NAME_INVALID, "detail")).get("errors").get(0);

    assertEquals(ErrorCode.NAME_INVALID.message(), only.get("message").textValue());
    assertEquals("detail", only.get("detail").textValue());
  }

  @Test
  void render_nullMessageFallsBackToDefault() throws IOException {
    JsonNode only = parse(new OciException(ErrorCode.DENIED, null, null)).get("errors").get(0);

    assertEquals(ErrorCode.DENIED.message(), only.get("message").textValue());
  }

  @Test
  void render_emptyDetailIsKept() throws IOException {
    JsonNode only = parse(new OciException(ErrorCode.DENIED, "m", "")).get("errors").get(0);

    assertEquals("", only.get("detail").textValue());
  }

  @Test
  void render_retryAfterIsNotInBody() throws IOException {
    OciException error =
        new OciException(ErrorCode.TOOMANYREQUESTS, "slow down", null, Duration.ofSeconds(30));

    JsonNode only = parse(error).get("errors").get(0);
    assertEquals(2, only.size());
  }

  @ParameterizedTest
  @EnumSource(ErrorCode.class)
  void render_everyCode(ErrorCode code) throws IOException {
    JsonNode only = parse(new OciException(code, "d")).get("errors").get(0);

    assertEquals(code.name(), only.get("code").textValue());
    assertEquals(code.message(), only.get("message").textValue());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "\"", "\\", "\"quoted\" and \\back\\slashes\\", "line\nbreak\r\ncarriage", "tab\there",
      "nul\0byte", "bell\u0007esc\u001b[31m", "del\u007f", "\u2028\u2029", "caf\u00e9 \u0430",
      "emoji \ud83d\ude00", "</script><script>alert(1)</script>", "\"},{\"code\":\"DENIED\"",
      "{\"errors\":[]}", "\ufeffbom", "nbsp\u00a0zero\u200bwidth", "'single'", "/slash//"})
  void render_hostileStringsRoundTrip(String hostile) throws IOException {
    OciException error = new OciException(ErrorCode.NAME_INVALID, hostile, hostile);

    JsonNode body = parse(error);

    assertEquals(1, body.size());
    assertEquals(1, body.get("errors").size());
    JsonNode only = body.get("errors").get(0);
    assertEquals("NAME_INVALID", only.get("code").textValue());
    assertEquals(hostile, only.get("message").textValue());
    assertEquals(hostile, only.get("detail").textValue());
  }

  @Test
  void render_controlCharactersAreEscaped() {
    byte[] bytes = OciErrorJson.render(new OciException(ErrorCode.DENIED, "a\0b\nc\u001bd", null));

    for (byte b : bytes) {
      assertTrue(b >= 0x20 || b < 0, "raw control byte " + b);
    }
  }

  @Test
  void render_unpairedSurrogatesGiveValidUtf8() throws IOException {
    OciException error = new OciException(ErrorCode.DENIED, "lone \ud800 high", "lone \udc00 low\ud83d");

    byte[] bytes = OciErrorJson.render(error);

    strictUtf8(bytes);
    JsonNode only = JSON.readTree(bytes).get("errors").get(0);
    assertEquals("DENIED", only.get("code").textValue());
  }

  @Test
  void render_isUtf8() throws CharacterCodingException {
    byte[] bytes = OciErrorJson.render(new OciException(ErrorCode.DENIED, "\u00e9\u4e2d", null));

    assertTrue(strictUtf8(bytes).contains("\u00e9\u4e2d"));
  }

  @Test
  void render_hugeDetail() throws IOException {
    String detail = "x".repeat(1_000_000);

    JsonNode only = parse(new OciException(ErrorCode.DENIED, "m", detail)).get("errors").get(0);

    assertEquals(detail, only.get("detail").textValue());
  }

  private static JsonNode parse(OciException error) throws IOException {
    byte[] bytes = OciErrorJson.render(error);
    strictUtf8(bytes);
    return JSON.readTree(bytes);
  }

  private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }
}
