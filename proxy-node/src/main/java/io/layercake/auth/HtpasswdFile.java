package io.layercake.auth;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Reloading: users() is on the path of every authenticated request, so it is a clock read and a
 * volatile read until the next check is due. Then one caller (the one that wins the CAS on
 * nextCheckAt) stats the file: a few microseconds of blocking I/O every reload-interval, cheaper
 * than a thread of its own and trivially driven by a fake clock in tests. Only a changed stamp
 * (file key, i.e. inode, modification time and size) makes it read and parse the file. The file
 * key catches a file replaced by rename with the same size and second, and attributes are read
 * through symlinks, so a Kubernetes secret's swapped ..data link counts as a change.
 *
 * The stamp is read before the content. If the file changes while it is read, the stored stamp is
 * already out of date and the next check reads it again; a half-written file read in between
 * either fails to parse (kept out, see below) or is replaced at the next check.
 *
 * Failures: a file that cannot be used after a change (gone, unreadable, a bad line) leaves the
 * users loaded before in place, so an editing mistake never locks every client out. The warning
 * is logged once per change: the failed stamp is remembered, and the same stamp is not read
 * again. Messages come from HtpasswdUsers and never hold a hash or a password.
 */

/**
 * The htpasswd file named by {@code layercake.auth.htpasswd}: its users, reloaded when the file
 * changes on disk, checked at most once per {@code reload-interval}.
 */
final class HtpasswdFile {

  private static final Logger log = LoggerFactory.getLogger(HtpasswdFile.class);

  /** A larger file is refused: about 200 000 users, and not read into memory by mistake. */
  static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

  /** What identifies one version of the file on disk. */
  private record FileStamp(Object fileKey, FileTime modified, long size) {

    /** The stamp of a file that could not even be looked at. */
    static final FileStamp UNREADABLE = new FileStamp(null, null, -1);

    static FileStamp of(Path path) throws IOException {
      BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
      if (!attributes.isRegularFile()) {
        throw new UnusableFileException("is not a regular file");
      }
      return new FileStamp(attributes.fileKey(), attributes.lastModifiedTime(), attributes.size());
    }
  }

  private record Loaded(HtpasswdUsers users, FileStamp stamp) {}

  /** A file that can be read but not used; the message ends a sentence that names the file. */
  private static final class UnusableFileException extends IOException {
    UnusableFileException(String message) {
      super(message);
    }
  }

  private final Path path;
  private final long reloadIntervalMillis;
  private final Clock clock;
  private final AtomicLong nextCheckAt;
  private volatile Loaded loaded;
  /** The stamp whose failure was last logged; only touched inside the synchronized check. */
  private FileStamp failedStamp;

  private HtpasswdFile(Path path, Duration reloadInterval, Clock clock, Loaded loaded) {
    this.path = path;
    this.reloadIntervalMillis = reloadInterval.toMillis();
    this.clock = clock;
    this.loaded = loaded;
    this.nextCheckAt = new AtomicLong(clock.millis() + reloadIntervalMillis);
  }

  /**
   * Reads the file for the first time.
   *
   * @throws IllegalArgumentException naming {@code layercake.auth.htpasswd}, the path and what is
   *     wrong: the file is missing, unreadable, too large, not UTF-8, or has bad lines
   */
  static HtpasswdFile open(Path path, Duration reloadInterval, Clock clock) {
    try {
      FileStamp stamp = FileStamp.of(path);
      HtpasswdFile file = new HtpasswdFile(path, reloadInterval, clock, new Loaded(read(path), stamp));
      log.info("{} ({}): pull authentication on, users: {}", AuthSettings.HTPASSWD_KEY, path,
          file.loaded.users().size());
      file.warnIfEmpty(file.loaded.users());
      return file;
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException(AuthSettings.HTPASSWD_KEY + " (" + AuthSettings.HTPASSWD_ENV
          + ") names " + path + ", which " + describe(e), e);
    }
  }

  /** The users of the file as last loaded, after reloading it if a check is due and it changed. */
  HtpasswdUsers users() {
    long now = clock.millis();
    long due = nextCheckAt.get();
    if (now >= due && nextCheckAt.compareAndSet(due, now + reloadIntervalMillis)) {
      check();
    }
    return loaded.users();
  }

  private synchronized void check() {
    Loaded before = loaded;
    FileStamp stamp;
    try {
      stamp = FileStamp.of(path);
    } catch (IOException e) {
      failed(FileStamp.UNREADABLE, before, e);
      return;
    }
    if (stamp.equals(before.stamp())) {
      failedStamp = null;
      return;
    }
    if (stamp.equals(failedStamp)) {
      return;
    }
    try {
      HtpasswdUsers users = read(path);
      loaded = new Loaded(users, stamp);
      failedStamp = null;
      log.info("{} ({}) changed: reloaded, users: {}", AuthSettings.HTPASSWD_KEY, path, users.size());
      warnIfEmpty(users);
    } catch (IOException | IllegalArgumentException e) {
      failed(stamp, before, e);
    }
  }

  private void failed(FileStamp stamp, Loaded before, Exception e) {
    if (!stamp.equals(failedStamp)) {
      failedStamp = stamp;
      log.warn("{} ({}) changed, but the file {}; still using the users loaded before ({})",
          AuthSettings.HTPASSWD_KEY, path, describe(e), before.users().size());
    }
  }

  private void warnIfEmpty(HtpasswdUsers users) {
    if (users.size() == 0) {
      log.warn("{} ({}) lists no users: every pull is refused until users are added",
          AuthSettings.HTPASSWD_KEY, path);
    }
  }

  private static HtpasswdUsers read(Path path) throws IOException {
    if (Files.size(path) > MAX_FILE_BYTES) {
      throw new UnusableFileException("is larger than " + MAX_FILE_BYTES + " bytes");
    }
    byte[] bytes = Files.readAllBytes(path);
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new UnusableFileException("is not UTF-8 text");
    }
    return HtpasswdUsers.parse(text.lines().toList());
  }

  /** Why the file cannot be used, as the end of a sentence naming it; never holds its content. */
  private static String describe(Exception e) {
    if (e instanceof NoSuchFileException) {
      return "does not exist";
    } else if (e instanceof AccessDeniedException) {
      return "is not readable by this process";
    } else if (e instanceof UnusableFileException) {
      return e.getMessage();
    } else if (e instanceof IllegalArgumentException) {
      return "has bad lines: " + e.getMessage();
    }
    return "cannot be read: " + e;
  }

  @Override
  public String toString() {
    return "HtpasswdFile[" + path + ", " + loaded.users() + "]";
  }
}
