package io.layercake.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.layercake.testkit.ManualClock;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class HtpasswdFileTest {

  private static final String ALICE = BcryptHashTest.ALICE;
  private static final String HASH_TAIL = ALICE.substring(7);
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(HtpasswdFile.class);

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  @Test
  void open_missingFileNamesKeyAndPath() {
    Path missing = dir.resolve("nope.htpasswd");

    String message = assertThrows(IllegalArgumentException.class,
        () -> HtpasswdFile.open(missing, INTERVAL, clock)).getMessage();

    assertEquals("layercake.auth.htpasswd (LAYERCAKE_AUTH_HTPASSWD) names " + missing
        + ", which does not exist", message);
  }

  @Test
  void open_badLineNamesKeyPathAndLine() throws IOException {
    Path file = write("alice:" + ALICE + "\nbob:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n");

    String message = assertThrows(IllegalArgumentException.class,
        () -> HtpasswdFile.open(file, INTERVAL, clock)).getMessage();

    assertTrue(message.startsWith("layercake.auth.htpasswd (LAYERCAKE_AUTH_HTPASSWD) names " + file
        + ", which has bad lines: line 2 (user 'bob'): a SHA-1 hash"), message);
    assertFalse(message.contains("W6ph5"), message);
  }

  @Test
  void open_directoryOrNonUtf8IsRefused() throws IOException {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HtpasswdFile.open(dir, INTERVAL, clock))
        .getMessage().endsWith("which is not a regular file"));
    Path latin1 = dir.resolve("latin1");
    Files.write(latin1, new byte[] {'b', (byte) 0xf6, ':', 'x'});
    assertTrue(assertThrows(IllegalArgumentException.class, () -> HtpasswdFile.open(latin1, INTERVAL, clock))
        .getMessage().endsWith("which is not UTF-8 text"));
  }

  @Test
  void open_emptyFileWarns() throws IOException {
    HtpasswdFile file = HtpasswdFile.open(write("# nobody yet\n"), INTERVAL, clock);

    assertEquals(0, file.users().size());
    assertTrue(warnings().get(0).contains("lists no users: every pull is refused"), warnings().toString());
  }

  @Test
  void users_reloadsAChangedFileOnlyOnceTheIntervalPassed() throws IOException {
    Path path = write("alice:" + ALICE + "\n");
    HtpasswdFile file = HtpasswdFile.open(path, INTERVAL, clock);
    HtpasswdUsers first = file.users();

    replace(path, "bob:" + ALICE + "\n" + "carol:" + ALICE + "\n");
    clock.advance(INTERVAL.minusMillis(1));
    assertSame(first, file.users(), "not checked before the interval");

    clock.advance(Duration.ofMillis(1));
    HtpasswdUsers second = file.users();
    assertTrue(second.hash("bob").isPresent());
    assertFalse(second.hash("alice").isPresent());

    clock.advance(INTERVAL);
    assertSame(second, file.users(), "an unchanged file is not parsed again");
  }

  @Test
  void users_sameSizeRewriteIsSeenByModificationTime() throws IOException {
    Path path = write("alice:" + ALICE + "\n");
    HtpasswdFile file = HtpasswdFile.open(path, INTERVAL, clock);
    FileTime before = Files.getLastModifiedTime(path);

    Files.writeString(path, "alicf:" + ALICE + "\n");
    Files.setLastModifiedTime(path, FileTime.fromMillis(before.toMillis() + 1000));
    clock.advance(INTERVAL);

    assertTrue(file.users().hash("alicf").isPresent());
  }

  @Test
  void users_failedReloadKeepsUsersAndWarnsOncePerChange() throws IOException {
    Path path = write("alice:" + ALICE + "\n");
    HtpasswdFile file = HtpasswdFile.open(path, INTERVAL, clock);

    replace(path, "alice:" + ALICE + "\nbob:$apr1$t5YdjCqX$sdDPRkK7l6RCBW0wA0PmV/\n");
    for (int i = 0; i < 3; i++) {
      clock.advance(INTERVAL);
      assertTrue(file.users().hash("alice").isPresent());
      assertFalse(file.users().hash("bob").isPresent());
    }
    assertEquals(1, warnings().size(), warnings().toString());
    assertTrue(warnings().get(0).contains("line 2 (user 'bob'): an MD5 hash"), warnings().get(0));
    assertTrue(warnings().get(0).contains("still using the users loaded before (1)"), warnings().get(0));

    Files.delete(path);
    for (int i = 0; i < 2; i++) {
      clock.advance(INTERVAL);
      assertTrue(file.users().hash("alice").isPresent(), "a deleted file keeps the users too");
    }
    assertEquals(2, warnings().size(), warnings().toString());
    assertTrue(warnings().get(1).contains("the file does not exist"), warnings().get(1));

    replace(path, "bob:" + ALICE + "\n");
    clock.advance(INTERVAL);
    assertTrue(file.users().hash("bob").isPresent(), "a fixed file is loaded");
    assertEquals(2, warnings().size());
    for (ILoggingEvent event : logs.list) {
      assertFalse(event.getFormattedMessage().contains(HASH_TAIL), event.getFormattedMessage());
      assertFalse(event.getFormattedMessage().contains("t5YdjCqX"), event.getFormattedMessage());
    }
  }

  @Test
  void toString_showsPathAndCountOnly() throws IOException {
    Path path = write("alice:" + ALICE + "\n");

    assertEquals("HtpasswdFile[" + path + ", HtpasswdUsers[1 users]]",
        HtpasswdFile.open(path, INTERVAL, clock).toString());
  }

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("users.htpasswd"), content);
  }

  /** Replaces the file by rename, as editors and htpasswd-managing tools do: a new inode. */
  private void replace(Path path, String content) throws IOException {
    Path next = Files.writeString(dir.resolve("next.tmp"), content);
    Files.move(next, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private List<String> warnings() {
    return logs.list.stream().filter(event -> event.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage).toList();
  }
}
