package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;

/** Prints a removal answer's untagged images and deleted blobs, one per line, as docker does. */
final class RemovalOutput {

  private RemovalOutput() {}

  static void print(JsonNode removal, PrintStream out, String untaggedPrefix, String deletedPrefix) {
    for (JsonNode name : removal.path("untagged")) {
      out.println(untaggedPrefix + familiar(name.asText()));
    }
    for (JsonNode blob : removal.path("deleted")) {
      out.println(deletedPrefix + blob.path("digest").asText());
    }
    for (JsonNode error : removal.path("errors")) {
      out.println("Warning: " + error.asText());
    }
  }

  /** {@code library/redis:7} as docker prints it: {@code redis:7}. */
  static String familiar(String name) {
    return name.startsWith("library/") && name.indexOf('/', 8) < 0 ? name.substring(8) : name;
  }
}
