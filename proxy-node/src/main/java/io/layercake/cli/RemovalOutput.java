package io.layercake.cli;

import io.layercake.eviction.Removal;
import java.io.PrintStream;

/** Prints a removal answer's untagged images and deleted blobs, one per line, as docker does. */
final class RemovalOutput {

  private RemovalOutput() {}

  static void print(Removal removal, PrintStream out, String untaggedPrefix, String deletedPrefix) {
    removal.untagged().forEach(name -> out.println(untaggedPrefix + familiar(name)));
    removal.deleted().forEach(blob -> out.println(deletedPrefix + blob.digest()));
    removal.errors().forEach(error -> out.println("Warning: " + error));
  }

  /** {@code library/redis:7} as docker prints it: {@code redis:7}. */
  static String familiar(String name) {
    return name.startsWith("library/") && name.indexOf('/', 8) < 0 ? name.substring(8) : name;
  }
}
