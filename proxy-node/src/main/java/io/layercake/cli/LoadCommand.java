package io.layercake.cli;

import io.layercake.admin.AdminAnswers;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code layercake load [-i FILE.tar] [-q]}: uploads an archive ({@code layercake save} or
 * {@code docker save}) to the node, streamed from the file or from stdin, and prints what was
 * loaded as docker does. On a terminal it draws the upload's progress.
 */
@Command(name = "load", header = "Seed the cache from a tar archive (layercake save or docker save)",
    description = "Reads the archive from FILE.tar, or from stdin without -i; on a terminal, draws the upload's"
        + " progress. Nothing is stored unless the whole archive is sound.")
final class LoadCommand extends NodeVerb {

  @Option(names = {"-i", "--input"}, paramLabel = "FILE.tar", description = "read from a file, not from stdin")
  private Path input;

  @Option(names = {"-q", "--quiet"}, description = "do not draw the upload's progress")
  private boolean quiet;

  @Override
  public Integer call() {
    Invocation invocation = invocation();
    PrintStream out = invocation.out();
    long length;
    Supplier<InputStream> archive;
    if (input == null) {
      if (invocation.interactive()) {
        throw new UsageException("'load' reads the archive from stdin, which is a terminal: use -i FILE.tar or a pipe");
      }
      length = -1;
      archive = invocation::in;
    } else {
      if (!Files.isRegularFile(input)) {
        throw new AdminClient.CliException("cannot read " + input + ": not a file");
      }
      try {
        length = Files.size(input);
      } catch (IOException e) {
        throw new AdminClient.CliException("cannot read " + input + ": " + e.getMessage());
      }
      archive = () -> {
        try {
          return Files.newInputStream(input);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      };
    }
    LoadProgress progress = new LoadProgress(out, length, invocation.interactive() && !quiet);
    AdminAnswers.Load report;
    try {
      report = client().upload("/admin/load", () -> progress.counting(archive.get()), length, AdminAnswers.Load.class);
    } finally {
      progress.done();
    }
    for (AdminAnswers.LoadedImage image : report.images()) {
      if (image.names().isEmpty()) {
        out.println("Loaded image ID: " + image.digest());
      }
      image.names().forEach(name -> out.println("Loaded image: " + name));
    }
    return 0;
  }
}
