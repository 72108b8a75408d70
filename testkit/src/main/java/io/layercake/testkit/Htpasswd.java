package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Debian's {@code htpasswd} (apache2-utils), writing the files operators give a node. */
public final class Htpasswd {

  /** Where Debian installs it. */
  public static final Path BINARY = Path.of("/usr/bin/htpasswd");

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path file;

  private Htpasswd(Path file) {
    this.file = file;
  }

  /** Whether the program is installed. */
  public static boolean isInstalled() {
    return Files.isExecutable(BINARY);
  }

  /** Writes to {@code file}. */
  public static Htpasswd at(Path file) {
    return new Htpasswd(file);
  }

  /** The file. */
  public Path file() {
    return file;
  }

  /**
   * Runs {@code htpasswd OPTIONS -i FILE USER} with the password on stdin, as a UTF-8 line: an
   * argument would reach it in the JVM's platform encoding, which is ASCII under a POSIX locale.
   * Pass {@code -c} in {@code options} to create the file.
   */
  public Htpasswd add(String options, String user, String password) {
    Path passwordFile = file.resolveSibling(file.getFileName() + ".password");
    try {
      Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
      List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "exec \"$0\" \"$@\" < \"$PASSWORD_FILE\"",
          BINARY.toString()));
      command.addAll(Arrays.asList(options.split(" ")));
      command.addAll(List.of("-i", file.toString(), user));
      BoundedCommand.run(command, Map.of("PASSWORD_FILE", passwordFile.toString()), TIMEOUT, file.getParent());
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try {
        Files.deleteIfExists(passwordFile);
      } catch (IOException e) {
        // A leftover in a test's temporary folder.
      }
    }
  }

  /** Runs {@code htpasswd -D FILE USER}. */
  public Htpasswd delete(String user) {
    BoundedCommand.run(List.of(BINARY.toString(), "-D", file.toString(), user), Map.of(), TIMEOUT, file.getParent());
    return this;
  }
}
