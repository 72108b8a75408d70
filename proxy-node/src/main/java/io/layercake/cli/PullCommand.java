package io.layercake.cli;

import io.layercake.Json;
import io.layercake.admin.AdminAnswers.PullEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code layercake pull IMAGE [--platform os/arch|all]}: prewarms the cache through the node and
 * draws docker's progress lines from the node's NDJSON events.
 */
@Command(name = "pull", description = "Prewarm the cache with an image, as a client's pull would")
final class PullCommand extends NodeVerb {

  @Mixin
  private PlatformOption platform;

  @Parameters(paramLabel = "IMAGE")
  private String image;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    PrintStream out = invocation.out();
    AdminClient client = client();
    String path = "/admin/pull?image=" + AdminClient.encode(image) + platform.asQuery();
    PullProgress progress = new PullProgress(out, invocation.interactive());
    PullEvent done = null;
    String firstError = null;
    try (InputStream body = client.postStreaming(path);
        BufferedReader events = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      for (String text = events.readLine(); text != null; text = events.readLine()) {
        if (text.isBlank()) {
          continue;
        }
        PullEvent event = Json.answerReader(PullEvent.class).readValue(text);
        progress.show(event);
        if (event.event().equals("error") && firstError == null) {
          firstError = event.message();
        }
        if (event.event().equals("done")) {
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
    out.println("Digest: " + done.digest());
    out.println(Boolean.TRUE.equals(done.upToDate())
        ? "Status: Image is up to date for " + done.image()
        : "Status: Downloaded newer image for " + done.image());
    return 0;
  }
}
