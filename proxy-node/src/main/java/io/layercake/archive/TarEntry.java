package io.layercake.archive;

/**
 * One member of a tar archive, with the long-name and PAX extensions already applied.
 *
 * @param name the member's path inside the archive, without a leading {@code ./}
 * @param size the length of its content in bytes (0 for anything but regular files)
 * @param type the tar type flag: {@code '0'} file, {@code '1'} hard link, {@code '2'} symbolic
 *     link, {@code '5'} directory, others as the tar formats define them
 * @param linkName the target of a link, or empty
 */
public record TarEntry(String name, long size, char type, String linkName) {

  /** Whether the member is a regular file (the only kind that carries content). */
  public boolean isFile() {
    return type == '0' || type == '\0' || type == '7';
  }

  /** Whether the member is a hard or symbolic link to another member. */
  public boolean isLink() {
    return type == '1' || type == '2';
  }
}
