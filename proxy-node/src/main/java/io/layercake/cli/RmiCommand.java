package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * {@code layercake rmi [--force] IMAGE...}: removes images from the cluster's cache, printing
 * {@code Untagged:} and {@code Deleted:} lines like docker. Each image is removed on its own; a
 * failure is printed and the others still go, and the exit status is then 1.
 */
final class RmiCommand {

  static final String USAGE = String.join("\n",
      "Usage: layercake rmi [OPTIONS] IMAGE [IMAGE...]",
      "",
      "Remove images from the cache of the whole cluster: the tag, and the image's blobs that no",
      "other cached image shares. IMAGE is NAME[:TAG], NAME@DIGEST or an IMAGE ID.",
      "An image being pulled, or pinned, is refused unless --force.",
      "",
      "Options:",
      "  -f, --force   remove even if pinned (the pin goes too) or being pulled",
      "      --url URL node to ask (default $LAYERCAKE_URL or http://127.0.0.1:5000)",
      "");

  private static final ObjectMapper JSON = new ObjectMapper();

  private RmiCommand() {}

  static int run(AdminClient client, List<String> args, PrintStream out, PrintStream err) {
    VerbArguments arguments = new VerbArguments("rmi", args, Map.of("-f", "--force", "--force", "--force"), Map.of());
    if (arguments.positional().isEmpty()) {
      throw new VerbArguments.UsageException("'rmi' requires at least one IMAGE. See 'layercake rmi --help'.");
    }
    int status = 0;
    for (String image : arguments.positional()) {
      try {
        String body = client.send("POST", "/admin/rmi?image=" + VerbArguments.encode(image)
            + (arguments.has("--force") ? "&force=true" : ""));
        RemovalOutput.print(JSON.readTree(body), out, "Untagged: ", "Deleted: ");
      } catch (AdminClient.CliException e) {
        err.println("layercake: " + image + ": " + e.getMessage());
        status = 1;
      } catch (IOException e) {
        err.println("layercake: " + image + ": the node sent an answer that is not JSON");
        status = 1;
      }
    }
    return status;
  }
}
