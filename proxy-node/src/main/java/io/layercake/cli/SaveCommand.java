package io.layercake.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code layercake save IMAGE... [-o FILE.tar] [--platform os/arch|all]}: the node's archive of
 * the images. To a file, it streams to {@code FILE.tar.part} and renames it into place only once
 * the archive is complete (its two end blocks arrived), so a broken transfer never leaves a
 * plausible tar. Without {@code -o} it streams to stdout, as {@code docker save} does, unless
 * stdout is a terminal; there a broken transfer is reported and the status is 1, and the reader
 * ({@code layercake load}) refuses a truncated archive itself.
 */
@Command(name = "save", header = "Write cached images to a docker-save compatible tar archive",
    description = "Writes to FILE.tar, or to stdout without -o (never to a terminal). Images are named as with"
        + " docker pull.")
final class SaveCommand extends NodeVerb {

  private static final int END_BLOCKS = 1024;

  @Mixin
  private PlatformOption platform;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE.tar", description = "write to a file, not to stdout")
  private Path output;

  @Parameters(arity = "1..*", paramLabel = "IMAGE")
  private List<String> images;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    if (output == null && invocation.interactive()) {
      throw new UsageException("refusing to write an archive to a terminal: use -o FILE.tar or redirect stdout");
    }
    String path = "/admin/save?" + images.stream()
        .map(image -> "image=" + AdminClient.encode(image))
        .collect(Collectors.joining("&"))
        + platform.asQuery();
    AdminClient client = client();
    if (output == null) {
      try (InputStream body = client.getStreaming(path)) {
        checkComplete(copy(body, invocation.out()));
        invocation.out().flush();
        return 0;
      } catch (IOException e) {
        throw new AdminClient.CliException("saving to stdout failed: " + e.getMessage());
      }
    }
    Path partial = output.resolveSibling(output.getFileName() + ".part");
    try (InputStream body = client.getStreaming(path)) {
      byte[] tail;
      try (OutputStream file = Files.newOutputStream(partial)) {
        tail = copy(body, file);
      }
      checkComplete(tail);
      Files.move(partial, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return 0;
    } catch (IOException e) {
      throw new AdminClient.CliException("saving to " + output + " failed: " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(partial);
      } catch (IOException e) {
        // Best effort: the partial file is named as such.
      }
    }
  }

  private static void checkComplete(byte[] tail) {
    if (!Arrays.equals(tail, new byte[END_BLOCKS])) {
      throw new AdminClient.CliException("the archive from the node is incomplete");
    }
  }

  /** Copies the body to {@code output}; returns the last 1024 bytes (fewer if the body was shorter). */
  private static byte[] copy(InputStream body, OutputStream output) throws IOException {
    byte[] buffer = new byte[256 * 1024];
    byte[] tail = new byte[0];
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
    return tail;
  }
}
