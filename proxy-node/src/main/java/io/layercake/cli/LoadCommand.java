package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@code layercake load -i FILE.tar}: uploads an archive ({@code layercake save} or
 * {@code docker save}) to the node, streamed from disk, and prints what was loaded as docker does.
 */
final class LoadCommand {

  /** The options load takes. */
  static final Map<String, String> OPTIONS = Map.of("-i", "--input", "--input", "--input");

  private static final ObjectMapper JSON = new ObjectMapper();

  private LoadCommand() {}

  static int run(AdminClient client, CommandLine line, PrintStream out) {
    line.expectPositional("load", "no arguments besides -i FILE.tar", 0, 0);
    Path input = Path.of(line.option("--input")
        .orElseThrow(() -> new AdminClient.CliException("'load' needs -i FILE.tar")));
    if (!Files.isRegularFile(input)) {
      throw new AdminClient.CliException("cannot read " + input + ": not a file");
    }
    JsonNode report;
    try {
      report = JSON.readTree(client.upload("/admin/load", input));
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent a report that is not JSON: " + e.getMessage());
    }
    for (JsonNode image : report.path("images")) {
      if (image.path("names").isEmpty()) {
        out.println("Loaded image ID: " + image.path("digest").asText());
      }
      for (JsonNode name : image.path("names")) {
        out.println("Loaded image: " + name.asText());
      }
    }
    return 0;
  }
}
