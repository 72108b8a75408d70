package io.layercake.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small tmpfs mounted on a test's folder, to give a node a disk that fills up. Needs root;
 * {@link #isPossible()} says whether this process may mount.
 */
public final class Tmpfs implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Path mountPoint;

  private Tmpfs(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /** Whether this process can mount file systems (it runs as root and mount exists). */
  public static boolean isPossible() {
    return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/bin/mount"));
  }

  /** Mounts a tmpfs of {@code megabytes} MiB on {@code mountPoint}, created if needed. */
  public static Tmpfs mount(Path mountPoint, int megabytes) {
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    BoundedCommand.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", mountPoint.toString()),
        Map.of(), TIMEOUT, mountPoint.getParent());
    return new Tmpfs(mountPoint);
  }

  /** Where it is mounted. */
  public Path path() {
    return mountPoint;
  }

  /**
   * Writes {@code file} until the disk is full, 1 MiB at a time, then the rest in smaller
   * writes: afterwards not a byte is free. Returns the bytes written.
   */
  public long fill(Path file) {
    long written = 0;
    try (var out = Files.newOutputStream(file)) {
      for (int chunk = 1 << 20; chunk > 0; chunk /= 2) {
        byte[] bytes = new byte[chunk];
        try {
          while (true) {
            out.write(bytes);
            out.flush();
            written += chunk;
          }
        } catch (IOException full) {
          // Next, a smaller chunk.
        }
      }
    } catch (IOException e) {
      // Closing a file on a full disk may fail too; what was written stays.
    }
    return written;
  }

  /** Unmounts it (lazily, so that a process still holding a file cannot block the test). */
  @Override
  public void close() {
    BoundedCommand.run(List.of("umount", "-l", mountPoint.toString()), Map.of(), TIMEOUT, mountPoint.getParent());
  }
}
