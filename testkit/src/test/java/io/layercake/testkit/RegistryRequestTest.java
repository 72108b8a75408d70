package io.layercake.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RegistryRequestTest {

  @Test
  void parse_accessLogLine_givesMethodUriStatusAndBytes() {
    String line =
        "127.0.0.1 - - [26/Nov/2026:17:19:25 +0000] \"GET"
            + " /v2/library/x/blobs/uploads/?mount=a&from=b HTTP/1.1\" 404 157 \"\""
            + " \"skopeo/1.9.3\"";

    RegistryRequest request = RegistryRequest.parse(line).orElseThrow();

    assertEquals(
        new RegistryRequest("GET", "/v2/library/x/blobs/uploads/?mount=a&from=b", 404, 157),
        request);
    assertEquals("/v2/library/x/blobs/uploads/", request.path());
  }

  @Test
  void parse_registryMessage_isEmpty() {
    String line =
        "time=\"2026-11-26T17:19:25Z\" level=info msg=\"response completed\""
            + " http.request.method=GET http.request.uri=/v2/ http.response.status=200";

    assertEquals(Optional.empty(), RegistryRequest.parse(line));
  }

  @Test
  void parse_emptyBody_countsZeroBytes() {
    String line =
        "127.0.0.1 - - [26/Nov/2026:17:19:25 +0000] \"HEAD /v2/library/x/manifests/1 HTTP/1.1\" 200"
            + " - \"\" \"\"";

    RegistryRequest request = RegistryRequest.parse(line).orElseThrow();

    assertEquals(0, request.bytes());
    assertTrue(request.method().equals("HEAD"));
  }
}
