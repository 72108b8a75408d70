package io.layercake.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code layercake save IMAGE... -o FILE.tar [--platform os/arch|all]}: streams the node's archive
 * of the images to {@code FILE.tar.part} and renames it into place only once the archive is
 * complete (its two end blocks arrived), so a broken transfer never leaves a plausible tar.
 */
final class SaveCommand {

  /** The options save takes. */
  static final Map<String, String> OPTIONS = Map.of("-o", "--output", "--output", "--output",
      "--platform", "--platform");

  private static final int END_BLOCKS = 1024;

  private SaveCommand() {}

  static int run(AdminClient client, CommandLine line, PrintStream out) {
    line.expectPositional("save", "at least one IMAGE", 1, Integer.MAX_VALUE);
    Path target = Path.of(line.option("--output")
        .orElseThrow(() -> new AdminClient.CliException("'save' needs -o FILE.tar")));
    String path = "/admin/save?" + line.positional().stream()
        .map(image -> "image=" + PullCommand.encode(image))
        .collect(Collectors.joining("&"))
        + line.option("--platform").map(p -> "&platform=" + PullCommand.encode(p)).orElse("");
    Path partial = target.resolveSibling(target.getFileName() + ".part");
    try (InputStream body = client.getStreaming(path)) {
      byte[] tail = copy(body, partial);
      if (!Arrays.equals(tail, new byte[END_BLOCKS])) {
        throw new AdminClient.CliException("the archive from the node is incomplete; nothing written");
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return 0;
    } catch (IOException e) {
      throw new AdminClient.CliException("saving to " + target + " failed: " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        // Best effort: the partial file is named as such.
      }
    }
  }

  /** Copies the body to {@code file}; returns the last 1024 bytes (fewer if the body was shorter). */
  private static byte[] copy(InputStream body, Path file) throws IOException {
    byte[] buffer = new byte[256 * 1024];
    byte[] tail = new byte[0];
    try (OutputStream output = Files.newOutputStream(file)) {
      for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
        output.write(buffer, 0, n);
        if (n >= END_BLOCKS) {
          tail = Arrays.copyOfRange(buffer, n - END_BLOCKS, n);
          continue;
        }
        byte[] joined = new byte[tail.length + n];
        System.arraycopy(tail, 0, joined, 0, tail.length);
        System.arraycopy(buffer, 0, joined, tail.length, n);
        tail = Arrays.copyOfRange(joined, Math.max(0, joined.length - END_BLOCKS), joined.length);
      }
    }
    return tail;
  }
}
