package io.layercake.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Implementation notes
 *
 * Certificates are rotated on disk by whoever issues them: cert-manager and the kubelet swap a
 * secret's files atomically (a symlink flip), certbot and people rewrite them one at a time. The
 * context is rebuilt when the files' size, modification time or identity (inode) changed, checked
 * at most every `checkEvery` and only when a connection asks for it, so an idle node does no I/O
 * and a busy one a few stat calls per interval. Connections already open keep the context they
 * started with; only new ones get the new certificate, which is what TLS rotation needs.
 *
 * A change that cannot be loaded (a key written before its certificate, a broken file) keeps the
 * last good context and is logged once; the next change is tried again. A node never stops
 * serving because a rotation went wrong half-way.
 */

/** An SSL context built from files, rebuilt when they change. Safe for concurrent use. */
public final class ReloadingSslContext {

  private static final Logger log = LoggerFactory.getLogger(ReloadingSslContext.class);

  private final String name;
  private final List<Path> files;
  private final Supplier<SSLContext> loader;
  private final long checkEveryNanos;
  private volatile SSLContext context;
  private volatile List<String> loadedFingerprint;
  private volatile long nextCheck;
  private List<String> failedFingerprint;

  private ReloadingSslContext(String name, List<Path> files, Supplier<SSLContext> loader, Duration checkEvery) {
    this.name = name;
    this.files = List.copyOf(files);
    this.loader = loader;
    this.checkEveryNanos = checkEvery.toNanos();
  }

  /**
   * Loads the context now (failing with the loader's error if the files are not usable) and
   * returns a holder that reloads it when {@code files} change.
   *
   * @param name what the context is for, in log lines ("the registry port's certificate")
   * @param files every file the loader reads
   * @param loader builds the context from the files; throws {@link TlsFileException} if it cannot
   * @param checkEvery the least time between two looks at the files
   */
  public static ReloadingSslContext load(String name, List<Path> files, Supplier<SSLContext> loader,
      Duration checkEvery) {
    ReloadingSslContext reloading = new ReloadingSslContext(name, files, loader, checkEvery);
    reloading.loadedFingerprint = reloading.fingerprint();
    reloading.context = loader.get();
    reloading.nextCheck = System.nanoTime() + reloading.checkEveryNanos;
    return reloading;
  }

  /** The context for a new connection: the files as they were at the last look. */
  public SSLContext current() {
    if (System.nanoTime() - nextCheck >= 0) {
      reloadIfChanged();
    }
    return context;
  }

  private synchronized void reloadIfChanged() {
    long now = System.nanoTime();
    if (now - nextCheck < 0) {
      return;
    }
    nextCheck = now + checkEveryNanos;
    List<String> fingerprint = fingerprint();
    if (fingerprint.equals(loadedFingerprint) || fingerprint.equals(failedFingerprint)) {
      return;
    }
    try {
      SSLContext reloaded = loader.get();
      context = reloaded;
      loadedFingerprint = fingerprint;
      failedFingerprint = null;
      log.info("Reloaded {} from {}: new connections use it", name, files);
    } catch (RuntimeException e) {
      failedFingerprint = fingerprint;
      log.warn("Keeping {} as it was: the changed files cannot be used yet: {}", name, e.getMessage());
    }
  }

  private List<String> fingerprint() {
    List<String> parts = new ArrayList<>();
    for (Path file : files) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        parts.add(attributes.size() + "/" + attributes.lastModifiedTime().toMillis() + "/" + attributes.fileKey());
      } catch (IOException e) {
        parts.add("unreadable");
      }
    }
    return parts;
  }
}
