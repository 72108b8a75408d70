package io.layercake.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.rocksdb.NativeLibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * RocksDB's JNI library (15 MB) is unpacked from the jar at every start. By default it goes to
 * java.io.tmpdir under a new random name each time, and a kill -9 leaves it there, so /tmp fills
 * up across crashes. Unpacked into the node's data folder instead, it has a fixed name that the
 * next start replaces, it lives on the volume sized for the node, and /tmp may be small or
 * noexec. If the data folder cannot hold or run it (a noexec mount), RocksDB falls back to its
 * own default.
 */

/** Loads RocksDB's native library from the node's data folder. Call before any RocksDB object. */
final class RocksNativeLibrary {

  private static final Logger log = LoggerFactory.getLogger(RocksNativeLibrary.class);

  private RocksNativeLibrary() {}

  /** Unpacks and loads the library into {@code dir} (once per JVM; later calls do nothing). */
  static void loadInto(Path dir) {
    try {
      Files.createDirectories(dir);
      NativeLibraryLoader.getInstance().loadLibrary(dir.toString());
    } catch (IOException | UnsatisfiedLinkError e) {
      log.warn("RocksDB's native library could not be loaded from {} ({}); it is unpacked to {} instead", dir,
          e.getMessage(), System.getProperty("java.io.tmpdir"));
    }
  }
}
