package io.layercake.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the project's {@code cluster-config/tls/make-certs} (openssl), so that the tests use the
 * certificates an operator trying TLS out would make, and test the script with them.
 */
public final class MakeCerts {

  private static final Path SCRIPT = Path.of("..", "cluster-config", "tls", "make-certs").toAbsolutePath().normalize();

  private MakeCerts() {}

  /**
   * {@code make-certs KIND DIR NAME...}; returns {@code DIR/NAME} of the first name: a directory
   * holding {@code tls.key}, {@code tls.crt} and {@code ca.crt}.
   */
  public static Path make(String kind, Path dir, String... names) {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString(), kind, dir.toString()));
    command.addAll(List.of(names));
    BoundedCommand.run(command, Map.of(), Duration.ofSeconds(120), dir.getParent());
    if (!Files.isRegularFile(dir.resolve(names[0]).resolve("tls.crt"))) {
      throw new IllegalStateException("make-certs wrote no " + dir.resolve(names[0]).resolve("tls.crt"));
    }
    return dir.resolve(names[0]);
  }
}
