package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code layercake pin IMAGE} and {@code layercake unpin IMAGE}: a pinned image is never evicted
 * or pruned, and {@code rmi} refuses it without {@code --force}.
 */
final class PinCommand {

  static final String PIN_USAGE = String.join("\n",
      "Usage: layercake pin IMAGE",
      "",
      "Pin a cached image on every node: its manifest, config and layers are never evicted or",
      "pruned, and rmi refuses it unless --force. The pin covers the content the tag points at",
      "now; pin again after the tag moves. Pins survive restarts.",
      "");

  static final String UNPIN_USAGE = String.join("\n",
      "Usage: layercake unpin IMAGE",
      "",
      "Remove the pin of an image on every node.",
      "");

  private static final ObjectMapper JSON = new ObjectMapper();

  private PinCommand() {}

  static int run(AdminClient client, List<String> args, PrintStream out, boolean pin) {
    String verb = pin ? "pin" : "unpin";
    VerbArguments arguments = new VerbArguments(verb, args, Map.of(), Map.of());
    if (arguments.positional().size() != 1) {
      throw new VerbArguments.UsageException("'" + verb + "' requires exactly one IMAGE. See 'layercake "
          + verb + " --help'.");
    }
    String body = client.send(pin ? "POST" : "DELETE",
        "/admin/pins?image=" + VerbArguments.encode(arguments.positional().get(0)));
    JsonNode answer;
    try {
      answer = JSON.readTree(body);
    } catch (IOException e) {
      throw new AdminClient.CliException("the node sent an answer that is not JSON: " + e.getMessage());
    }
    for (JsonNode image : answer.path("images")) {
      out.println((pin ? "Pinned: " : "Unpinned: ") + RemovalOutput.familiar(image.asText()));
    }
    return 0;
  }
}
