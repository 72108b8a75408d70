package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.layercake.Json;
import java.io.IOException;

/** A node's OCI error JSON as one line for the terminal: {@code CODE: message: detail}. */
final class NodeError {

  private static final int MAX_LENGTH = 300;

  private NodeError() {}

  static String describe(String body) {
    try {
      JsonNode error = Json.MAPPER.readTree(body).path("errors").path(0);
      if (error.has("code")) {
        String detail = error.path("detail").isTextual() ? ": " + error.path("detail").asText() : "";
        return oneLine(error.path("code").asText() + ": " + error.path("message").asText() + detail);
      }
    } catch (IOException e) {
      // Not JSON: show the body itself.
    }
    return oneLine(body);
  }

  private static String oneLine(String text) {
    String line = text.replaceAll("\\s+", " ").strip();
    return line.length() > MAX_LENGTH ? line.substring(0, MAX_LENGTH) + "..." : line;
  }
}
