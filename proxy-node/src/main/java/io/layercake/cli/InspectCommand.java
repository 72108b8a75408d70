package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;

/**
 * {@code layercake inspect IMAGE [--platform os/arch|all]}: the node's JSON report of the image,
 * indented and wrapped in an array as {@code docker inspect} prints it.
 */
final class InspectCommand {

  /** The options inspect takes. */
  static final Map<String, String> OPTIONS = Map.of("--platform", "--platform");

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private InspectCommand() {}

  static int run(AdminClient client, CommandLine line, PrintStream out) {
    line.expectPositional("inspect", "exactly one IMAGE", 1, 1);
    String path = "/admin/inspect?image=" + PullCommand.encode(line.positional().get(0))
        + line.option("--platform").map(p -> "&platform=" + PullCommand.encode(p)).orElse("");
    try {
      JsonNode report = JSON.readTree(client.get(path));
      out.println(JSON.writeValueAsString(JSON.createArrayNode().add(report)));
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent a report that is not JSON: " + e.getMessage());
    }
    return 0;
  }
}
