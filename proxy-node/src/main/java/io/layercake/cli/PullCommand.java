package io.layercake.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code layercake pull IMAGE [--platform os/arch|all]}: prewarms the cache through the node and
 * draws docker's progress lines from the node's NDJSON events.
 */
final class PullCommand {

  /** The options pull takes. */
  static final Map<String, String> OPTIONS = Map.of("--platform", "--platform");

  private static final ObjectMapper JSON = new ObjectMapper();

  private PullCommand() {}

  static int run(AdminClient client, CommandLine line, PrintStream out) {
    line.expectPositional("pull", "exactly one IMAGE", 1, 1);
    String path = "/admin/pull?image=" + encode(line.positional().get(0))
        + line.option("--platform").map(p -> "&platform=" + encode(p)).orElse("");
    PullProgress progress = new PullProgress(out, out == System.out && System.console() != null);
    JsonNode done = null;
    String firstError = null;
    try (InputStream body = client.postStreaming(path);
        BufferedReader events = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String text = events.readLine(); text != null; text = events.readLine()) {
        if (text.isBlank()) {
          continue;
        }
        JsonNode event = JSON.readTree(text);
        progress.show(event);
        if (event.path("event").asText().equals("error") && firstError == null) {
          firstError = event.path("message").asText();
        }
        if (event.path("event").asText().equals("done")) {
          done = event;
        }
      }
    } catch (IOException e) {
      throw new AdminClient.CliException("the pull stream broke: " + e.getMessage());
    }
    if (firstError != null) {
      throw new AdminClient.CliException("pull failed: " + firstError);
    }
    if (done == null) {
      throw new AdminClient.CliException("the pull stream ended early");
    }
    out.println("Digest: " + done.path("digest").asText());
    out.println(done.path("upToDate").asBoolean()
        ? "Status: Image is up to date for " + done.path("image").asText()
        : "Status: Downloaded newer image for " + done.path("image").asText());
    return 0;
  }

  static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
